/**
 * deploy/k8s/, parsed: probes, ports, the spool volume, security context,
 * settings and the kustomization agree with each other and with the image.
 * No cluster here: `kubectl kustomize` (offline) runs when kubectl is
 * installed.
 */

import assert from "node:assert/strict";
import { SECRET_KEYS } from "../src/config.ts";
import {
  assertEnvNames,
  assertStopTimeout,
  assertValidConfig,
  DATA,
  NONROOT_UID,
  type Obj,
  optionalCommand,
  PORT,
  read,
  ROOT,
  yamlDocs,
  yamlFile,
} from "./_deploy.ts";

const DIR = "deploy/k8s";
const KUSTOMIZATION = yamlFile(`${DIR}/kustomization.yaml`);
// The example Secret is `.yaml.txt`: `kubectl apply -f deploy/k8s/` skips it.
const EXAMPLE_SECRET = "secret.example.yaml.txt";
const FILES = [...Deno.readDirSync(ROOT + DIR)].map((e) => e.name)
  .filter((n) =>
    (n.endsWith(".yaml") || n === EXAMPLE_SECRET) && n !== "kustomization.yaml"
  ).sort();
const BY_KIND: Record<string, Obj> = Object.fromEntries(
  FILES.map((f) => yamlFile(`${DIR}/${f}`)).map((d) => [d.kind, d]),
);
const DEPLOYMENT = BY_KIND.Deployment!;
const POD: Obj = DEPLOYMENT.spec.template.spec;
const CONTAINER: Obj = POD.containers[0];
const SETTINGS: Record<string, string> = BY_KIND.ConfigMap!.data;
const SECRETS: Record<string, string> = BY_KIND.Secret!.stringData;

/** A probe's or Service's port, resolving the container port's name. */
function port(p: string | number): number | undefined {
  if (typeof p === "number") return p;
  return CONTAINER.ports.find((c: Obj) => c.name === p)?.containerPort;
}

Deno.test("deploy: k8s kustomization lists every manifest but the example Secret", () => {
  // Placeholder credentials are never applied by `kubectl apply -k`.
  assert.deepEqual(
    [...KUSTOMIZATION.resources, EXAMPLE_SECRET].sort(),
    FILES,
  );
  assert.deepEqual(Object.keys(BY_KIND).sort(), [
    "ConfigMap",
    "Deployment",
    "PersistentVolumeClaim",
    "PodDisruptionBudget",
    "Secret",
    "Service",
  ]);
  const image = KUSTOMIZATION.images.find((i: Obj) =>
    i.name === CONTAINER.image
  );
  assert.ok(image, "the Deployment's image is set by the kustomization");
  assert.equal(image.newTag, JSON.parse(read("deno.json")).version);
});

Deno.test("deploy: k8s runs one pod, Recreate, with the PVC at DATA_DIR", () => {
  assert.equal(DEPLOYMENT.spec.replicas, 1);
  assert.equal(DEPLOYMENT.spec.strategy.type, "Recreate");
  assert.deepEqual(CONTAINER.args, ["run"]);
  assert.equal(SETTINGS.DATA_DIR, DATA);
  const mount = CONTAINER.volumeMounts.find((m: Obj) => m.mountPath === DATA);
  const volume = POD.volumes.find((v: Obj) => v.name === mount.name);
  const pvc = BY_KIND.PersistentVolumeClaim!;
  assert.equal(volume.persistentVolumeClaim.claimName, pvc.metadata.name);
  assert.deepEqual(pvc.spec.accessModes, ["ReadWriteOnce"]);
  // With a read-only root, /data and an emptyDir /tmp are all that is writable.
  const tmp = CONTAINER.volumeMounts.find((m: Obj) => m.mountPath === "/tmp");
  assert.ok(POD.volumes.find((v: Obj) => v.name === tmp.name).emptyDir);
  assertStopTimeout(
    "terminationGracePeriodSeconds",
    POD.terminationGracePeriodSeconds,
    SETTINGS,
  );
});

Deno.test("deploy: k8s liveness on /health/live, readiness on /health, one port", () => {
  assert.deepEqual(CONTAINER.ports, [
    { name: "http", containerPort: PORT, protocol: "TCP" },
  ]);
  assert.equal(SETTINGS.PORT, String(PORT));
  const probe = (p: Obj) => [p.httpGet.path, port(p.httpGet.port)];
  // A refused private key makes /health 503: out of the endpoints, not restarted.
  assert.deepEqual(probe(CONTAINER.livenessProbe), ["/health/live", PORT]);
  assert.deepEqual(probe(CONTAINER.readinessProbe), ["/health", PORT]);
  assert.deepEqual(probe(CONTAINER.startupProbe), ["/health/live", PORT]);
  const svc = BY_KIND.Service!;
  assert.deepEqual(
    svc.spec.ports.map((p: Obj) => [p.name, p.port, port(p.targetPort)]),
    [["http", PORT, PORT]],
  );
  const annotations = svc.metadata.annotations;
  assert.equal(annotations["prometheus.io/scrape"], "true");
  assert.equal(annotations["prometheus.io/port"], String(PORT));
  assert.equal(annotations["prometheus.io/path"], "/metrics");
  const labels = DEPLOYMENT.spec.template.metadata.labels;
  const pdb = BY_KIND.PodDisruptionBudget!;
  for (
    const selector of [
      svc.spec.selector,
      pdb.spec.selector.matchLabels,
      DEPLOYMENT.spec.selector.matchLabels,
    ]
  ) {
    for (const [k, v] of Object.entries(selector)) assert.equal(labels[k], v);
  }
  // One replica: a drain may take it down (minAvailable 1 would block it).
  assert.equal(pdb.spec.maxUnavailable, 1);
});

Deno.test("deploy: k8s pod is non-root, read-only, without capabilities, bounded", () => {
  const pod = POD.securityContext;
  assert.equal(pod.runAsNonRoot, true);
  assert.equal(pod.runAsUser, NONROOT_UID);
  assert.equal(pod.fsGroup, NONROOT_UID, "the volume is writable by nonroot");
  const c = CONTAINER.securityContext;
  assert.equal(c.runAsNonRoot, true);
  assert.equal(c.readOnlyRootFilesystem, true);
  assert.equal(c.allowPrivilegeEscalation, false);
  assert.deepEqual(c.capabilities.drop, ["ALL"]);
  assert.equal(POD.automountServiceAccountToken, false);
  for (const kind of ["requests", "limits"]) {
    assert.ok(CONTAINER.resources[kind].memory, `${kind}.memory`);
    assert.ok(CONTAINER.resources[kind].cpu, `${kind}.cpu`);
  }
});

Deno.test("deploy: k8s settings come from the ConfigMap and the Secret, valid together", async () => {
  assert.deepEqual(CONTAINER.envFrom, [
    { configMapRef: { name: BY_KIND.ConfigMap!.metadata.name } },
    { secretRef: { name: BY_KIND.Secret!.metadata.name } },
  ]);
  assert.equal(CONTAINER.env, undefined);
  assertEnvNames("ConfigMap", Object.keys(SETTINGS));
  assertEnvNames("Secret", Object.keys(SECRETS));
  for (const k of Object.keys(SETTINGS)) {
    const secret = SECRET_KEYS.has(k) || k === "SINKS" || k in SECRETS;
    assert.ok(!secret, `${k} belongs in the Secret`);
  }
  for (const [k, v] of Object.entries(SECRETS)) {
    assert.match(v, /REPLACE_ME/, `${k}: not a placeholder`);
  }
  await assertValidConfig("ConfigMap + Secret", { ...SETTINGS, ...SECRETS });
});

Deno.test("deploy: kubectl kustomize builds the manifests with the release image", async () => {
  const out = await optionalCommand("kubectl kustomize deploy/k8s", "kubectl", [
    "kustomize",
    ROOT + DIR,
  ]);
  if (out === undefined) return;
  assert.ok(out.success, out.stderr);
  const docs = yamlDocs(out.stdout);
  assert.deepEqual(
    docs.map((d) => d.kind).sort(),
    KUSTOMIZATION.resources.map((f: string) => yamlFile(`${DIR}/${f}`).kind)
      .sort(),
  );
  const image = KUSTOMIZATION.images[0];
  const built = docs.find((d) => d.kind === "Deployment")!;
  assert.equal(
    built.spec.template.spec.containers[0].image,
    `${image.newName}:${image.newTag}`,
  );
});
