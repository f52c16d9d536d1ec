// Step 3 of the guide, end to end: the app's identity reaching Blob Storage, proved as the app (data
// plane, through the emulator's RBAC gate in front of Azurite) and from a pipeline (control plane).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD } from "../../src/emulator/index.js";
import { json, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { ACCOUNT, CONTAINER, OPERATOR_DATA_READER, type Report, RG, step } from "../helpers/verify.js";

// Longer than any test: only clock/advance brings an assignment to the data plane.
const DELAY_MS = 60_000;
const emu = useEmulator({
  dataPlaneDelayMs: DELAY_MS,
  replicationDelayMs: 0,
  seed: {
    ...DEFAULT_WORLD,
    roleAssignments: [...DEFAULT_WORLD.roleAssignments, OPERATOR_DATA_READER],
  } as typeof DEFAULT_WORLD,
});

function operator(args: string[]) {
  return runCli(args, { env: emu.current.env });
}

/** Runs the CLI as the web app: only the app's own environment (its identity endpoint and storage settings). */
function asApp(args: string[], extra: Record<string, string | undefined> = {}, cwd?: string) {
  const env = emu.current.handle.envFor(emu.current.siteId("msdocs-web"));
  return runCli(["verify", ...args], {
    env: { ...env, ...extra },
    cwd: cwd ?? mkdtempSync(join(tmpdir(), "app-")),
  });
}

/** Arranged through the emulator: the CLI's own enable and assign-role are tested elsewhere. */
function enableWebApp(): Promise<string> {
  return emu.current.enableSystem(emu.current.siteId("msdocs-web"));
}

/** The operator assigns `role` to the principal at the guide's resource group. */
function assignAtGroup(principalId: string, role: string) {
  return emu.current.assignRole(principalId, role);
}

describe("verify as the app (data plane)", () => {
  it("the guide's whole flow: denied, assign at resource group, then passes with --wait", async () => {
    // The guide's own steps run through the CLI here: enable, then assign-role.
    const enabled = await operator(["enable", "--webapp", "msdocs-web", "-g", RG]);
    const { principalId } = json<{ principalId: string }>(enabled);
    const denied = await asApp(["--access", "readwrite"]);
    expect(denied.code).toBe(5);
    const report = json<Report>(denied);
    expect(report).toMatchObject({
      mode: "data-plane",
      result: "fail",
      access: "readwrite",
      account: ACCOUNT,
    });
    expect(report.identity).toMatchObject({ credential: "ManagedIdentityCredential", objectId: principalId });
    expect(report.identity?.resourceId?.toLowerCase()).toBe(emu.current.siteId("msdocs-web").toLowerCase());
    expect(step(report, "credential")?.status).toBe("pass");
    expect(step(report, "list-containers")).toMatchObject({
      status: "fail",
      code: "AuthorizationPermissionMismatch",
    });
    expect(report.fix).toContain('--role "Storage Blob Data Contributor"');
    expect(denied.stderr).toMatch(/Storage Blob Data Contributor/);
    expect(denied.stdout + denied.stderr).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);

    const assigned = await operator([
      "assign-role",
      "--webapp",
      "msdocs-web",
      "-g",
      RG,
      "--role",
      "Storage Blob Data Contributor",
    ]);
    expect(assigned.code).toBe(0);
    // The assignment reaches the data plane once verify has been denied at least once.
    await emu.current.clearLog();
    const waiting = asApp(["--access", "readwrite", "--wait", "30s"]);
    await emu.current.waitForRequest((r) => r.kind === "blob" && r.status === 403, waiting);
    const effectiveAt = Date.now();
    await emu.current.advance(DELAY_MS);
    const passed = await waiting;
    const finishedAt = Date.now();
    expect(passed.stderr).toMatch(/retrying in/);
    expect(passed.code).toBe(0);
    const ok = json<Report>(passed);
    expect(ok.result).toBe("pass");
    expect(ok.attempts).toBeGreaterThan(1);
    expect(ok.steps.map((s) => [s.name, s.status])).toEqual([
      ["credential", "pass"],
      ["list-containers", "pass"],
      ["list-blobs", "pass"],
      ["write-probe", "pass"],
      ["read-probe", "pass"],
      ["delete-probe", "pass"],
    ]);
    // How long after the assignment became effective verify reported success (the closing note's figure).
    console.log(
      `verify --wait succeeded ${finishedAt - effectiveAt} ms after the assignment became effective`,
    );
    expect(await emu.current.blobNames(ACCOUNT, CONTAINER)).toEqual(["hello.txt"]);
  });

  it("Storage Blob Data Reader: read passes, write fails with exit 5", async () => {
    const principalId = await enableWebApp();
    await assignAtGroup(principalId, "Storage Blob Data Reader");
    await emu.current.advance(DELAY_MS);
    const read = await asApp([]);
    expect(read.code).toBe(0);
    expect(json<Report>(read).container).toBe(CONTAINER);
    const write = await asApp(["--access", "write", "--container", CONTAINER]);
    expect(write.code).toBe(5);
    const report = json<Report>(write);
    expect(step(report, "write-probe")).toMatchObject({
      status: "fail",
      code: "AuthorizationPermissionMismatch",
    });
    expect(step(report, "delete-probe")?.status).toBe("skip");
    expect(await emu.current.blobNames(ACCOUNT, CONTAINER)).toEqual(["hello.txt"]);
  });

  it("Contributor on the resource group: the data plane says Owner/Contributor are not enough", async () => {
    const principalId = await enableWebApp();
    await assignAtGroup(principalId, "Contributor");
    await emu.current.advance(DELAY_MS);
    const r = await asApp(["--container", CONTAINER]);
    expect(r.code).toBe(5);
    const report = json<Report>(r);
    expect(step(report, "list-containers")?.status).toBe("pass"); // containers/read is a control-plane action
    expect(step(report, "list-blobs")).toMatchObject({
      status: "fail",
      code: "AuthorizationPermissionMismatch",
    });
    expect(step(report, "list-blobs")?.cause).toMatch(
      /Owner, Contributor and Reader grant no blob data access/,
    );
  });

  it("a firewalled account fails with AuthorizationFailure, explained", async () => {
    await enableWebApp();
    await emu.current.control("POST", `storage/${ACCOUNT}/firewall`, { enabled: true });
    const r = await asApp([]);
    expect(r.code).toBe(5);
    const s = step(json<Report>(r), "list-containers");
    expect(s).toMatchObject({ status: "fail", code: "AuthorizationFailure" });
    expect(s?.cause).toMatch(/firewall/);
  });

  it("an app without a managed identity: exit 4, no wall of credential errors", async () => {
    const r = await asApp([]);
    expect(r.code).toBe(4);
    expect(step(json<Report>(r), "credential")).toMatchObject({ status: "fail", code: "NoManagedIdentity" });
    expect(r.stderr.split("\n").length).toBeLessThan(20);
  });

  it("reads the account from .env as the guide's app does, and checks input before any request", async () => {
    const dir = mkdtempSync(join(tmpdir(), "app-"));
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(dir, ".env"), "AZURE_STORAGE_ACCOUNT_NAME=Not_Valid\n");
    const r = await asApp([], { AZURE_STORAGE_ACCOUNT_NAME: undefined }, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid storage account name 'Not_Valid'/);
    expect(await emu.current.requests()).toEqual([]);
  });

  it("never touches an existing blob, and leaves no probe behind even when interrupted", async () => {
    const principalId = await enableWebApp();
    await assignAtGroup(principalId, "Storage Blob Data Contributor");
    await emu.current.advance(DELAY_MS);
    const before = await emu.current.blob("HEAD", `/${ACCOUNT}/${CONTAINER}/hello.txt`);
    expect((await asApp(["--access", "readwrite", "--container", CONTAINER])).code).toBe(0);

    // Slow down the read-back, and press Ctrl-C once the emulator saw the probe created.
    await emu.current.fault(
      { method: "GET", kind: "blob", path: "miauth-verify-probe" },
      { type: "latency", ms: 8000 },
      1,
    );
    await emu.current.clearLog();
    const env = emu.current.handle.envFor(emu.current.siteId("msdocs-web"));
    let sent = false;
    const interrupted = await runCli(["verify", "--access", "readwrite", "--container", CONTAINER], {
      env,
      cwd: mkdtempSync(join(tmpdir(), "app-")),
      onSpawn: (child) => {
        const poll = setInterval(async () => {
          const log = await emu.current.requests();
          if (log.some((q) => q.method === "PUT" && /miauth-verify-probe/.test(q.path) && q.status === 201)) {
            clearInterval(poll);
            sent = true;
            child.kill("SIGINT");
          }
        }, 100);
        child.on("close", () => clearInterval(poll));
      },
    });
    expect(sent).toBe(true);
    expect(interrupted.code).toBe(130);
    const after = await emu.current.blob("HEAD", `/${ACCOUNT}/${CONTAINER}/hello.txt`);
    expect(after.headers.etag).toBe(before.headers.etag);
    expect(await emu.current.blobNames(ACCOUNT, CONTAINER)).toEqual(["hello.txt"]);
    const log = await emu.current.requests();
    const probe = (q: { path: string }) => /miauth-verify-probe/.test(q.path);
    expect(log.filter((q) => q.method === "PUT" && probe(q)).map((q) => q.status)).toEqual([201]);
    expect(log.filter((q) => q.method === "DELETE" && probe(q)).map((q) => q.status)).toEqual([202]); // removed after Ctrl-C
  });

  it("writes valid JUnit XML (making its directory) and GitHub annotations; the JSON report has the documented shape", async () => {
    await enableWebApp();
    const dir = mkdtempSync(join(tmpdir(), "junit-"));
    // out/ does not exist yet: it is created, as mkdir -p would.
    const r = await asApp(
      ["--access", "readwrite", "--junit", "out/verify.xml"],
      { GITHUB_ACTIONS: "true" },
      dir,
    );
    expect(r.code).toBe(5);
    const xml = readFileSync(join(dir, "out", "verify.xml"), "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toMatch(/<testsuite name="miauth verify" tests="6" failures="1" errors="0" skipped="4"/);
    expect(xml).toMatch(
      /<testcase name="list-containers" classname="miauth.verify.data-plane" time="[\d.]+">\s*<failure message="AuthorizationPermissionMismatch: /,
    );
    expect(r.stderr).toMatch(
      /^::error title=miauth verify%3A list-containers::AuthorizationPermissionMismatch: /m,
    );
    expect(r.stdout).not.toMatch(/::error/);
    const report = json<Record<string, unknown>>(r);
    expect(Object.keys(report)).toEqual([
      "mode",
      "access",
      "account",
      "endpoint",
      "storageId",
      "container",
      "identity",
      "steps",
      "fix",
      "result",
      "attempts",
      "elapsedMs",
      "waitExpired",
    ]);
  });

  it("--wait that runs out while still denied exits 6", async () => {
    await enableWebApp();
    const r = await asApp(["--wait", "2s"]);
    expect(r.code).toBe(6);
    expect(json<Report>(r).attempts).toBeGreaterThan(1);
    expect(r.stderr).toMatch(/still failing after --wait 2s/);
  });
});

describe("verify for an identity (control plane, as a pipeline)", () => {
  it("names the role that grants each permission, or the command that would", async () => {
    await enableWebApp();
    const args = [
      "verify",
      "--webapp",
      "msdocs-web",
      "-g",
      RG,
      "--account",
      ACCOUNT,
      "--access",
      "readwrite",
    ];
    const denied = await operator(args);
    expect(denied.code).toBe(5);
    const report = json<Report>(denied);
    expect(report.mode).toBe("control-plane");
    expect(report.fix).toBe(
      `miauth assign-role --webapp msdocs-web -g ${RG} --role "Storage Blob Data Contributor" --scope ${emu.current.rg()}/providers/Microsoft.Storage/storageAccounts/${ACCOUNT}`,
    );
    // The fix it prints works, and then the check passes (no data-plane delay on the control plane).
    const fixed = await runCli(
      report.fix
        ?.replace(/^miauth /, "")
        .match(/"[^"]*"|\S+/g)
        ?.map((a) => a.replace(/"/g, "")) ?? [],
      {
        env: emu.current.env,
      },
    );
    expect(fixed.code).toBe(0);
    const ok = await operator(args);
    expect(ok.code).toBe(0);
    const passed = json<Report>(ok);
    expect(step(passed, "write-probe")?.message).toMatch(
      /granted by Storage Blob Data Contributor at .*storageAccounts\/msdocsstorage/,
    );
  });

  it("Contributor on the resource group grants no data access", async () => {
    const principalId = await enableWebApp();
    await assignAtGroup(principalId, "Contributor");
    const r = await operator(["verify", "--principal", principalId, "--account", ACCOUNT, "-g", RG]);
    expect(r.code).toBe(5);
    const report = json<Report>(r);
    expect(step(report, "list-containers")?.status).toBe("pass");
    expect(step(report, "list-blobs")).toMatchObject({
      status: "fail",
      code: "AuthorizationPermissionMismatch",
    });
    expect(step(report, "list-blobs")?.message).toMatch(/Contributor grant no blob data access/);
  });

  it("a resource without an identity gets the enable command, and exit 3 as assign-role gives", async () => {
    const r = await operator(["verify", "--vm", "msdocs-vm", "-g", RG, "--account", ACCOUNT]);
    expect(r.code).toBe(3);
    expect(json<Report>(r).steps[0]).toMatchObject({ name: "identity", code: "IdentityNotEnabled" });
    const assign = await operator(["assign-role", "--vm", "msdocs-vm", "-g", RG, "--role", "Reader"]);
    expect(assign.code).toBe(3);
    expect(json<Report>(r).fix).toBe(`miauth enable --vm msdocs-vm -g ${RG}`);
  });

  it("a --ids target with the account by name: the account is in the target's subscription", async () => {
    await enableWebApp();
    const site = emu.current.siteId("msdocs-web");
    const r = await runCli(
      ["verify", "--ids", site, "--account", ACCOUNT, "--account-resource-group", RG],
      // Another default subscription: the site's ID names the one to use.
      { env: { ...emu.current.env, AZURE_SUBSCRIPTION_ID: "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a" } },
    );
    expect(r.code).toBe(5);
    const report = json<Report & { storageId: string }>(r);
    const storageId = `${emu.current.rg()}/providers/Microsoft.Storage/storageAccounts/${ACCOUNT}`;
    expect(report.storageId).toBe(storageId);
    expect(report.fix).toBe(
      `miauth assign-role --ids ${site} --role "Storage Blob Data Reader" --scope ${storageId}`,
    );
  });

  it("reports a firewalled account without failing the RBAC answer", async () => {
    const principalId = await enableWebApp();
    await assignAtGroup(principalId, "Storage Blob Data Reader");
    await emu.current.control("POST", `storage/${ACCOUNT}/firewall`, { enabled: true });
    const r = await operator(["verify", "--principal", principalId, "--account", ACCOUNT, "-g", RG]);
    expect(r.code).toBe(0);
    expect(step(json<Report>(r), "network")).toMatchObject({ status: "warn", code: "AuthorizationFailure" });
  });
});

// What a bad network or proxy does to the data plane. Its own emulator, with no data-plane delay, so
// a role assigned is effective at once and no test waits.
describe("verify for an identity: the result comes from the required steps", () => {
  it("control plane with everything granted passes; its steps are exactly the required ones", async () => {
    const principalId = await enableWebApp();
    await assignAtGroup(principalId, "Storage Blob Data Contributor");
    const r = await operator([
      "verify",
      "--principal",
      principalId,
      "--account",
      ACCOUNT,
      "-g",
      RG,
      "--access",
      "readwrite",
    ]);
    expect(r.code).toBe(0);
    const report = json<Report>(r);
    expect(report.steps.filter((s) => s.status === "pass").map((s) => s.name)).toEqual([
      "identity",
      "network",
      "list-containers",
      "list-blobs",
      "write-probe",
      "read-probe",
      "delete-probe",
    ]);
  });
});
