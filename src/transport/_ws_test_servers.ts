/**
 * Test-only servers for the WebSocket client: Deno's own server (an
 * independent RFC 6455 implementation), an echo handler, and a
 * self-signed certificate for `wss:`.
 *
 * @module
 */

const decoder = new TextDecoder();

/** A certificate and its key (PEM). */
export interface TestCert {
  cert: string;
  key: string;
}

/**
 * Deno's server (an independent RFC 6455 implementation): `onSocket` gets
 * each upgraded socket; `refuse` answers instead of upgrading.
 */
export function denoServer(
  onSocket: (ws: WebSocket) => void,
  opts: { refuse?: (req: Request) => Response; tls?: TestCert } = {},
): { server: Deno.HttpServer<Deno.NetAddr>; url: string } {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {}, ...opts.tls },
    opts.refuse ?? ((req) => {
      const { socket, response } = Deno.upgradeWebSocket(req);
      onSocket(socket);
      return response;
    }),
  );
  const scheme = opts.tls ? "wss" : "ws";
  return { server, url: `${scheme}://127.0.0.1:${server.addr.port}/ws?x=1` };
}

/** An echo server's socket; it closes with 4001 "bye" on "close-me". */
export function echo(ws: WebSocket): void {
  ws.onmessage = (e) => {
    if (e.data === "close-me") ws.close(4001, "bye");
    else ws.send(e.data);
  };
}

/** A self-signed certificate for 127.0.0.1 made by `openssl`, or why there is none. */
export async function selfSigned(): Promise<TestCert | string> {
  const dir = await Deno.makeTempDir();
  try {
    const out = await new Deno.Command("openssl", {
      args: [
        ..."req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1".split(
          " ",
        ),
        ..."-nodes -days 1 -subj /CN=127.0.0.1".split(" "),
        ...["-keyout", `${dir}/key.pem`, "-out", `${dir}/cert.pem`],
        ...["-addext", "subjectAltName=IP:127.0.0.1"],
        ...["-addext", "basicConstraints=critical,CA:FALSE"],
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) return decoder.decode(out.stderr).trim();
    return {
      cert: await Deno.readTextFile(`${dir}/cert.pem`),
      key: await Deno.readTextFile(`${dir}/key.pem`),
    };
  } catch (e) {
    return `openssl: ${e instanceof Error ? e.message : e}`;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
