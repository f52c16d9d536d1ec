// Round trips, waits and bulk: the exact requests each command sends (first run and re-run), a VM
// update polled on ARM's Retry-After schedule, verify --wait's probe rate and detection delay, and 200
// assignees under latency and throttling. Times come from the emulator's request log, not wall clocks.
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD } from "../../src/emulator/index.js";
import { json, runCli } from "../helpers/cli.js";
import { type EmulatorFixture, type LoggedRequest, useEmulator } from "../helpers/emulator.js";
import { ACCOUNT, CONTAINER, type Report, RG } from "../helpers/verify.js";

/** "identity GET token", "arm PATCH sites/x", "arm GET operations": what was sent, in order. */
/** A shape with verify's two first ARM reads (made at once) in the order the code awaits them. */
function inReadOrder(requests: string[]): string[] {
  const [token, a, b, ...rest] = requests;
  if (a === undefined || b === undefined || token === undefined) return requests;
  return [
    token,
    ...[a, b].sort((x, y) => (x.includes("sites/") ? -1 : y.includes("sites/") ? 1 : 0)),
    ...rest,
  ];
}

function shape(log: LoggedRequest[]): string[] {
  return log.map((r) => {
    const tail = r.path
      .replace(/^.*\/providers\/Microsoft\.Compute\/locations\/[^/]+\/operations\/.*$/i, "operations")
      .replace(/^.*\/providers\/Microsoft\.(Web|Compute)\//i, "")
      .replace(/^.*\/providers\/Microsoft\.Authorization\/(roleDefinitions|roleAssignments)(\/.*)?$/i, "$1$2")
      .replace(/(roleAssignments|roleDefinitions)\/[0-9a-f-]{36}$/i, "$1/{id}")
      .replace(/^.*\/providers\/Microsoft\.Storage\/(storageAccounts\/[^/]+)$/i, "$1")
      .replace(/^\/msi\/.*$/i, "token");
    return `${r.kind} ${r.method} ${tail}`;
  });
}

const at = (r: LoggedRequest | undefined) => Date.parse(r?.time ?? "");

function cliOf(emu: EmulatorFixture) {
  return (args: string[]) => runCli(args, { env: emu.current.env });
}

describe("request counts, first run and re-run", () => {
  const emu = useEmulator({ blob: false, lroDelayMs: 1500, retryAfterSeconds: 1 });
  const cli = cliOf(emu);
  const run = async (args: string[]) => {
    await emu.current.clearLog();
    const r = await cli(args);
    expect(r.code, r.stderr).toBe(0);
    return shape(await emu.current.requests());
  };

  it("enable --webapp / --functionapp: one token; GET, PATCH and its read-back; the re-run only reads", async () => {
    for (const flag of ["--webapp", "--functionapp"]) {
      const name = flag === "--webapp" ? "msdocs-web" : "msdocs-func";
      const site = `sites/${name}`;
      expect(await run(["enable", flag, name, "-g", RG])).toEqual([
        "identity GET token",
        `arm GET ${site}`,
        `arm PATCH ${site}`,
        // Sites have no ETag: the read after the PATCH reply is what catches a stale concurrent write.
        `arm GET ${site}`,
      ]);
      expect(await run(["enable", flag, name, "-g", RG])).toEqual(["identity GET token", `arm GET ${site}`]);
    }
  });

  it("enable --vm: polls on ARM's Retry-After schedule, and the SDK's final GET is the only read-back", async () => {
    await emu.current.clearLog();
    const r = await cli(["enable", "--vm", "msdocs-vm", "-g", RG]);
    expect(r.code, r.stderr).toBe(0);
    const log = await emu.current.requests();
    // The operation takes 1.5 s and every reply says Retry-After: 1: polls at 1 s (InProgress) and 2 s.
    expect(shape(log)).toEqual([
      "identity GET token",
      "arm GET virtualMachines/msdocs-vm",
      "arm PATCH virtualMachines/msdocs-vm",
      "arm GET operations",
      "arm GET operations",
      "arm GET virtualMachines/msdocs-vm",
    ]);
    const [patch, poll1, poll2, final] = log.slice(2);
    // The first poll waits for the PATCH reply's Retry-After (the SDK alone would poll at once).
    expect(at(poll1) - at(patch)).toBeGreaterThanOrEqual(1000);
    expect(at(poll2) - at(poll1)).toBeGreaterThanOrEqual(1000);
    // The end is at most 0.3 s after the poll that could first see Succeeded.
    expect(at(poll2) - at(patch)).toBeGreaterThanOrEqual(1500);
    expect(at(final) - at(poll2)).toBeLessThanOrEqual(300);
    expect(json<{ result: string }>(r).result).toBe("updated");
    expect(await run(["enable", "--vm", "msdocs-vm", "-g", RG])).toEqual([
      "identity GET token",
      "arm GET virtualMachines/msdocs-vm",
    ]);
  });

  it("roles list --name: one token, one filtered GET", async () => {
    expect(await run(["roles", "list", "--name", "Storage Blob Data Reader"])).toEqual([
      "identity GET token",
      "arm GET roleDefinitions",
    ]);
  });

  it("assign-role: one token for both clients; the re-run writes nothing", async () => {
    const args = ["assign-role", "--webapp", "msdocs-web", "-g", RG, "--role", "Storage Blob Data Reader"];
    await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    const first = await run(args);
    // The role and the site are read at once: their order is not fixed.
    expect(first[0]).toBe("identity GET token");
    expect(first.slice(1, 3).sort()).toEqual(["arm GET roleDefinitions", "arm GET sites/msdocs-web"]);
    expect(first.slice(3)).toEqual(["arm GET roleAssignments", "arm PUT roleAssignments/{id}"]);
    const again = await run(args);
    expect(again[0]).toBe("identity GET token");
    expect(again.slice(1, 3).sort()).toEqual(["arm GET roleDefinitions", "arm GET sites/msdocs-web"]);
    expect(again.slice(3)).toEqual(["arm GET roleAssignments"]);
  });
});

const VERIFY_READ = ["verify", "--webapp", "msdocs-web", "-g", RG, "--account", ACCOUNT, "--access", "read"];

describe("verify, control plane: request counts", () => {
  const emu = useEmulator({ blob: false });
  const cli = cliOf(emu);

  it("one token; the identity, the account, its assignments, and one definition per role assigned", async () => {
    const principalId = await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    const args = VERIFY_READ;
    await emu.current.clearLog();
    expect((await cli(args)).code).toBe(5);
    // The identity and the account are read at once: their order is not fixed.
    const denied = [
      "identity GET token",
      "arm GET sites/msdocs-web",
      "arm GET storageAccounts/msdocsstorage",
      "arm GET roleAssignments",
    ];
    expect(inReadOrder(shape(await emu.current.requests()))).toEqual(denied);
    const account = `${emu.current.rg()}/providers/Microsoft.Storage/storageAccounts/${ACCOUNT}`;
    await emu.current.assignRole(principalId, "Storage Blob Data Reader", account);
    await emu.current.clearLog();
    expect((await cli(args)).code).toBe(0);
    expect(inReadOrder(shape(await emu.current.requests()))).toEqual([
      ...denied,
      "arm GET roleDefinitions/{id}",
    ]);
  });

  it("its ARM requests, through three SDK packages, share one pool: two connections for the two reads at once", async () => {
    const principalId = await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    await emu.current.assignRole(principalId, "Storage Blob Data Reader");
    await emu.current.clearLog();
    const r = await cli(VERIFY_READ);
    expect(r.code, r.stderr).toBe(0);
    const log = await emu.current.requests();
    const arm = log.filter((q) => q.kind === "arm");
    // App Service (modular client) and storage (classic) at once, then authorization (classic).
    const provider = (q: LoggedRequest) => [...q.path.matchAll(/Microsoft\.(\w+)/g)].at(-1)?.[1];
    expect(arm.slice(0, 2).map(provider).sort()).toEqual(["Storage", "Web"]);
    expect(arm.slice(2).map(provider)).toEqual(["Authorization", "Authorization"]);
    // Each SDK package with its own pool would open a third connection for authorization.
    const first = new Set(arm.slice(0, 2).map((q) => q.connection));
    expect(first.size).toBeLessThanOrEqual(2);
    for (const q of arm.slice(2)) expect(first).toContain(q.connection);
    // The token comes from the identity endpoint, another host in Azure: its own connection.
    const token = log.find((q) => q.kind === "identity");
    expect(token?.connection).toBeDefined();
    expect(arm[0]?.connection).not.toBe(token?.connection);
  });
});

describe("200 assignees under 50 ms latency and 10% throttling", () => {
  const principals = Array.from({ length: 200 }, () => randomUUID());
  const emu = useEmulator({
    blob: false,
    seed: {
      ...DEFAULT_WORLD,
      principals: principals.map((principalId, i) => ({
        principalId,
        type: "ServicePrincipal" as const,
        displayName: `bulk-${i}`,
      })),
    } as typeof DEFAULT_WORLD,
  });
  const cli = cliOf(emu);

  const assigneesFile = () => {
    const file = join(mkdtempSync(join(tmpdir(), "assignees-")), "principals.txt");
    writeFileSync(file, `${principals.join("\n")}\n`);
    return file;
  };

  it("keeps 32 assignments in flight by default, and no more", async () => {
    // The first 32 PUTs are held: all 32 arrive while none has been answered.
    const hold = (await emu.current.fault(
      { method: "PUT", path: "roleAssignments" },
      { type: "hold" },
      32,
    )) as {
      id: string;
    };
    const run = cli([
      "assign-role",
      "--assignees-file",
      assigneesFile(),
      "--role",
      "Storage Queue Data Reader",
      "-g",
      RG,
    ]);
    const held = await emu.api.control("GET", `faults/${hold.id}/held?count=32&timeoutMs=20000`);
    expect(held.status, held.text).toBe(200);
    // Every slot waits on a held reply: no 33rd assignment has started.
    const lists = (await emu.current.armRequests()).filter(
      (r) => r.method === "GET" && /roleAssignments$/i.test(r.path),
    );
    expect(lists).toHaveLength(32);
    await emu.current.control("POST", `faults/${hold.id}/release`);
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    expect(json<unknown[]>(r)).toHaveLength(200);
  });

  it("creates exactly 200 assignments, none twice, retrying each 429 once", async () => {
    const file = assigneesFile();
    // Every 10th ARM request is throttled (Retry-After: 1), retries included; the others get 50 ms.
    await emu.current.fault({ kind: "arm" }, { type: "status", status: 429, retryAfter: 1 }, 100_000, 10);
    await emu.current.fault({ kind: "arm" }, { type: "latency", ms: 50 }, 100_000);
    const r = await cli([
      "assign-role",
      "--assignees-file",
      file,
      "--role",
      "Storage Queue Data Reader",
      "-g",
      RG,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = json<{ principalId: string; result: string }[]>(r);
    expect(out).toHaveLength(200);
    expect(out.every((o) => o.result === "created")).toBe(true);
    const state = (await emu.current.state()) as { roleAssignments: { principalId: string }[] };
    const made = state.roleAssignments
      .map((a) => a.principalId)
      .filter((p) => (principals as string[]).includes(p));
    expect(made).toHaveLength(200);
    expect(new Set(made).size).toBe(200);
    const arm = await emu.current.armRequests();
    const throttled = arm.filter((a) => a.status === 429);
    // 1 role read, 1 list of user-assigned identities (principal types), 200 assignment lists and 200
    // PUTs: 402 answered requests, plus one retry per 429, where every 10th request is a 429.
    expect(arm.length - throttled.length).toBe(402);
    expect(throttled).toHaveLength(44);
    expect(arm).toHaveLength(446);
    expect(arm.filter((a) => a.method === "PUT" && a.status === 201)).toHaveLength(200);
    // Each 429 was announced and retried: one notice each.
    expect(r.stderr.match(/^warning: ARM answered 429 .*retrying in 1s \(Retry-After\)$/gm)).toHaveLength(44);
  });
});

describe("verify --wait: about one probe a second, the assignment seen within a second", () => {
  // Only the clock control (or real time) brings an assignment to the data plane.
  const emu = useEmulator({ dataPlaneDelayMs: 60_000, replicationDelayMs: 0 });

  /** The app's data-plane attempts: each starts by listing the account's containers. */
  const probes = async () =>
    (await emu.current.requests()).filter(
      (r) => r.kind === "blob" && r.path.replace(/\/$/, "") === `/${ACCOUNT}`,
    );

  async function arrange() {
    const principalId = await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    await emu.current.assignRole(principalId, "Storage Blob Data Reader");
    const env = emu.current.handle.envFor(emu.current.siteId("msdocs-web"));
    await emu.current.clearLog();
    return runCli(["verify", "--access", "read", "--wait", "2m"], {
      env,
      cwd: mkdtempSync(join(tmpdir(), "app-")),
    });
  }

  async function effectiveAt(): Promise<number> {
    const state = (await emu.current.state()) as {
      roleAssignments: { dataPlaneAt: number; principalId: string }[];
    };
    return Math.max(...state.roleAssignments.map((a) => a.dataPlaneAt));
  }

  /** At most about one probe a second: after the first (which also loads the SDK), 0.85 s apart or more (0.9 s start to start). */
  function checkRate(all: LoggedRequest[]) {
    for (let i = 2; i < all.length; i++) {
      expect(at(all[i]) - at(all[i - 1])).toBeGreaterThanOrEqual(850);
    }
    const spanS = (at(all.at(-1)) - at(all[1])) / 1000;
    expect((all.length - 2) / spanS).toBeLessThanOrEqual(1.15);
  }

  it("data plane: one storage token, then one request per step", async () => {
    const principalId = await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    await emu.current.assignRole(principalId, "Storage Blob Data Reader");
    await emu.current.advance(60_000);
    const env = emu.current.handle.envFor(emu.current.siteId("msdocs-web"));
    await emu.current.clearLog();
    const r = await runCli(["verify", "--access", "read"], { env, cwd: mkdtempSync(join(tmpdir(), "app-")) });
    expect(r.code, r.stderr).toBe(0);
    // The storage token (the app's own identity endpoint), list containers, list blobs in the first.
    expect(shape(await emu.current.requests())).toEqual([
      "identity GET token",
      `blob GET /${ACCOUNT}/`,
      `blob GET /${ACCOUNT}/${CONTAINER}`,
    ]);
  });

  it("3 s propagation: seen within 1.0 s", async () => {
    const waiting = arrange();
    // The assignment reaches the data plane 3 s from now.
    await emu.current.waitForRequest((r) => r.kind === "blob" && r.status === 403, waiting);
    await emu.current.advance(57_000);
    const due = await effectiveAt();
    const r = await waiting;
    expect(r.code, r.stderr).toBe(0);
    expect(json<Report>(r).result).toBe("pass");
    const all = await probes();
    const denied = all.filter((p) => p.status === 403);
    const passed = all.find((p) => p.status === 200);
    checkRate(all);
    expect(denied.length).toBeGreaterThanOrEqual(3);
    console.log(`verify --wait, 3 s propagation: seen ${at(passed) - due} ms after it took effect`);
    // The log stamps a request when it arrives and the gate decides a moment later: a probe that
    // arrived a few ms before the assignment took effect can be the one that passes (seen: -4 ms).
    expect(at(passed) - due).toBeGreaterThanOrEqual(-50);
    expect(at(passed) - due).toBeLessThanOrEqual(1000);
  }, 30_000);

  it("60 s propagation (clock moved): seen within 1.0 s of the moment, at about one probe a second", async () => {
    const waiting = arrange();
    // Three denied probes, then the clock passes the assignment's time at once.
    await emu.current.waitForRequest((r) => r.kind === "blob" && r.status === 403, waiting);
    for (;;) {
      if ((await probes()).filter((p) => p.status === 403).length >= 3) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    const before = Date.now();
    await emu.current.advance(60_000);
    const due = Math.max(await effectiveAt(), before);
    const r = await waiting;
    expect(r.code, r.stderr).toBe(0);
    const all = await probes();
    checkRate(all);
    const passed = all.find((p) => p.status === 200);
    console.log(`verify --wait, clock moved past 60 s: seen ${at(passed) - due} ms after it took effect`);
    expect(at(passed) - due).toBeLessThanOrEqual(1000);
    // The wait is announced once, not on every probe.
    expect(r.stderr.match(/retrying in/g)).toHaveLength(1);
  }, 30_000);
});
