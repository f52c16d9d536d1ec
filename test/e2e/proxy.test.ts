// Through an HTTPS proxy (HTTPS_PROXY), as behind a corporate one: the SDKs' proxy policy tunnels every
// request (token and ARM) through CONNECT, and the proxy agents, which the bundle loads only when a
// proxy is used (scripts/startup-patches.mjs), still do. A loopback proxy: nothing leaves the machine.
import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { json, runCli } from "../helpers/cli.js";
import { RG, useEmulator } from "../helpers/emulator.js";

const emu = useEmulator({ blob: false });
let proxy: Server | undefined;
afterEach(() => {
  proxy?.closeAllConnections();
  proxy?.close();
});

/** A CONNECT proxy on 127.0.0.1 that records each tunnel's destination. */
async function startProxy(tunnels: string[]): Promise<string> {
  proxy = createServer((_req, res) => res.writeHead(405).end());
  proxy.on("connect", (req, client, head) => {
    tunnels.push(req.url ?? "");
    const [host = "", port = ""] = (req.url ?? "").split(":");
    const upstream = connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((done) => proxy?.listen(0, "127.0.0.1", done));
  const address = proxy.address();
  if (!address || typeof address === "string") throw new Error("proxy: no port");
  return `http://127.0.0.1:${address.port}`;
}

describe("through an HTTPS proxy", () => {
  it("enable --webapp sends its token and ARM requests through the proxy's tunnels", async () => {
    const tunnels: string[] = [];
    const url = await startProxy(tunnels);
    const r = await runCli(["enable", "--webapp", "msdocs-web", "-g", RG], {
      env: { ...emu.current.env, HTTPS_PROXY: url },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(json<{ result: string }>(r).result).toBe("updated");
    const emulator = new URL(emu.handle.url).host;
    // The token request and the ARM requests, each through a tunnel to the emulator.
    expect(tunnels.length).toBeGreaterThanOrEqual(2);
    expect(new Set(tunnels)).toEqual(new Set([emulator]));
    expect((await emu.current.requests()).map((q) => q.kind)).toEqual(["identity", "arm", "arm", "arm"]);
  });
});
