// Container apps end to end: enable/disable/show through Microsoft.App's long-running PATCH, verify as
// the app's identity, and setup's env variables in the template.
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD, type World } from "../../src/emulator/world.js";
import { json, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { OPERATOR_DATA_READER, type Report, step } from "../helpers/verify.js";

const RG = "msdocs-sdk-auth-example";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const API = "api-version=2025-07-01";

function world(): World {
  const w = structuredClone(DEFAULT_WORLD);
  w.containerApps = [
    {
      resourceGroup: RG,
      name: "msdocs-aca",
      identity: { type: "UserAssigned", userAssignedIdentities: ["msdocs-uami"] },
      containers: [
        {
          name: "web",
          image: "mcr.microsoft.com/k8se/quickstart:latest",
          env: [
            { name: "LOG_LEVEL", value: "info" },
            { name: "DB_PASSWORD", secretRef: "db-password" },
          ],
        },
        { name: "sidecar", image: "mcr.microsoft.com/k8se/sidecar:latest" },
      ],
    },
  ];
  w.roleAssignments = [...w.roleAssignments, OPERATOR_DATA_READER];
  return w;
}

const emu = useEmulator({ seed: world(), dataPlaneDelayMs: 0, replicationDelayMs: 0 });

function cli(args: string[], env: Record<string, string | undefined> = {}) {
  return runCli(args, { env: { ...emu.current.env, ...env } });
}

function appId(): string {
  return `${emu.current.rg()}/providers/Microsoft.App/containerApps/msdocs-aca`;
}

interface IdentityOut {
  principalId: string | null;
  type: string;
  userAssignedIdentities: Record<string, { principalId: string; clientId: string }> | null;
  resourceId: string;
  result: string;
}

describe("container apps", () => {
  it("enable and disable keep the user-assigned identity, follow the LRO, and re-runs write nothing", async () => {
    const uami = emu.current.uamiId("msdocs-uami").toLowerCase();
    const first = await cli(["enable", "--containerapp", "msdocs-aca", "-g", RG]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const enabled = json<IdentityOut>(first);
    expect(enabled.type).toBe("SystemAssigned, UserAssigned");
    expect(enabled.principalId).toMatch(GUID);
    expect(enabled.result).toBe("updated");
    expect(enabled.resourceId).toBe(appId());
    expect(Object.keys(enabled.userAssignedIdentities ?? {}).map((k) => k.toLowerCase())).toEqual([uami]);

    // PATCH, then the operation status (Azure-AsyncOperation) until it ends, then the app read again.
    const log = (await emu.current.armRequests()).map(
      (r) => `${r.method} ${r.path.split("/").slice(-2).join("/")}`,
    );
    const patch = log.indexOf("PATCH containerApps/msdocs-aca");
    expect(patch).toBeGreaterThan(0);
    expect(log[0]).toBe("GET containerApps/msdocs-aca");
    const after = log.slice(patch + 1);
    expect(after[0]).toMatch(/^GET containerappOperationStatuses\//);
    expect(after.at(-1)).toBe("GET containerApps/msdocs-aca");
    expect(after.filter((l) => l.startsWith("PATCH"))).toEqual([]);
    // The 202 named both: core-lro polls Azure-AsyncOperation, then GETs Location for the result.
    expect(after.at(-2)).toMatch(/^GET containerappOperationResults\//);
    const writes = await emu.current.writes();
    expect(writes.map((w) => w.method)).toEqual(["PATCH"]);

    // Microsoft.App's own spelling, without a space.
    const raw = await emu.current.arm("GET", `${appId()}?${API}`);
    expect((raw.body.identity as { type: string }).type).toBe("SystemAssigned,UserAssigned");

    await emu.current.clearLog();
    const rerun = await cli(["enable", "--containerapp", "msdocs-aca", "-g", RG]);
    expect(json<IdentityOut>(rerun)).toEqual({ ...enabled, result: "unchanged" });
    expect(await emu.current.writes()).toEqual([]);

    const disabled = json<IdentityOut>(await cli(["disable", "--ids", appId()]));
    expect(disabled.type).toBe("UserAssigned");
    expect(disabled.principalId).toBeNull();
    expect(Object.keys(disabled.userAssignedIdentities ?? {}).map((k) => k.toLowerCase())).toEqual([uami]);
    await emu.current.clearLog();
    const again = await cli(["disable", "--containerapp", "msdocs-aca", "-g", RG]);
    expect(json<IdentityOut>(again).result).toBe("unchanged");
    expect(await emu.current.writes()).toEqual([]);

    const shown = await cli(["show", "--containerapp", "msdocs-aca", "-g", RG]);
    expect(json<{ type: string; kind: string }>(shown)).toMatchObject({
      type: "UserAssigned",
      kind: "containerapp",
    });
  });
});

describe("container app replies and --no-wait", () => {
  it("a reply that is not the container app is exit 1 before any write", async () => {
    const other = appId().replace("msdocs-aca", "someone-else");
    await emu.current.fault(
      { method: "GET", path: "containerApps/msdocs-aca" },
      {
        type: "raw",
        body: JSON.stringify({ id: other, type: "Microsoft.App/containerApps", name: "someone-else" }),
      },
    );
    const r = await cli(["enable", "--containerapp", "msdocs-aca", "-g", RG]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*msdocs-aca/m);
    expect(await emu.current.writes()).toEqual([]);
  });

  it("a failed operation is exit 1 and says what the app holds, read again; the same command then converges", async () => {
    await emu.current.fault({ method: "PATCH", path: "containerApps/msdocs-aca" }, { type: "lro-failed" });
    const r = await cli(["enable", "--containerapp", "msdocs-aca", "-g", RG]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: updating container app 'msdocs-aca' .*failed/m);
    expect(r.stderr).toMatch(/it holds identity type UserAssigned/);
    const again = await cli(["enable", "--containerapp", "msdocs-aca", "-g", RG]);
    expect(again.code).toBe(0);
    expect(json<IdentityOut>(again)).toMatchObject({
      type: "SystemAssigned, UserAssigned",
      result: "updated",
    });
  });

  it("--no-wait returns once the PATCH is accepted, without waiting for the operation; a later run sees the change", async () => {
    const r = await cli(["enable", "--containerapp", "msdocs-aca", "-g", RG, "--no-wait"]);
    expect(r.code).toBe(0);
    expect(json<IdentityOut>(r).result).toBe("accepted");
    const paths = (await emu.current.armRequests()).map((q) => q.path);
    // The SDK's beginUpdate looks at the operation once; nothing waits for it to end.
    expect(paths.filter((p) => /containerappOperationStatuses/i.test(p)).length).toBeLessThanOrEqual(1);
    expect(paths.filter((p) => /containerappOperationResults/i.test(p))).toEqual([]);
    expect(paths.at(-1)).toMatch(/containerappOperationStatuses|containerApps\/msdocs-aca$/);
    await emu.current.settle();
    await emu.current.clearLog();
    const again = await cli(["enable", "--containerapp", "msdocs-aca", "-g", RG]);
    expect(json<IdentityOut>(again).result).toBe("unchanged");
    expect(await emu.current.writes()).toEqual([]);
  });
});

describe("verify as a container app", () => {
  it("without an identity: no IDENTITY_ENDPOINT, exit 4, nothing asked for a token, the fix names the app", async () => {
    await emu.current.arm("PATCH", `${appId()}?${API}`, { identity: { type: "None" } });
    await emu.current.settle();
    const env = emu.current.handle.envFor(appId());
    expect(env.IDENTITY_ENDPOINT).toBeUndefined();
    await emu.current.clearLog();
    const r = await runCli(["verify"], { env });
    expect(r.code).toBe(4);
    const report = json<Report>(r);
    expect(step(report, "credential")).toMatchObject({ status: "fail", code: "NoManagedIdentity" });
    expect(step(report, "credential")?.cause).toMatch(
      /^the container app 'msdocs-aca' has no managed identity/,
    );
    expect(report.fix).toBe(
      "enable one: miauth enable --containerapp msdocs-aca, with -g set to its resource group",
    );
    expect((await emu.current.requests()).filter((q) => q.kind === "identity")).toEqual([]);
    expect(r.blocked).toEqual([]);
  });

  it("its host variables, then verify as it passes once the role is assigned (data and control plane)", async () => {
    // Without a system identity (only the user-assigned one) and without AZURE_CLIENT_ID: no default identity.
    const vars = await cli(["emulator", "env", "--containerapp", "msdocs-aca", "-g", RG], {
      MIAUTH_EMULATOR_DIR: emu.current.handle.dir,
    });
    expect(vars.code).toBe(0);
    expect(vars.stdout).toMatch(/^export CONTAINER_APP_NAME='msdocs-aca'$/m);
    expect(vars.stdout).toMatch(/^export CONTAINER_APP_REVISION='msdocs-aca--\S+'$/m);
    expect(vars.stdout).toMatch(/^export CONTAINER_APP_ENV_DNS_SUFFIX='\S+\.azurecontainerapps\.io'$/m);
    expect(vars.stdout).toMatch(/^export IDENTITY_ENDPOINT=/m);
    // The template's env reaches the app; a secretRef's value is not the emulator's to know.
    expect(vars.stdout).toMatch(/^export LOG_LEVEL='info'$/m);
    expect(vars.stdout).not.toMatch(/DB_PASSWORD/);
    expect(vars.stdout).not.toMatch(/WEBSITE_SITE_NAME=/);

    const enabled = json<IdentityOut>(await cli(["enable", "--containerapp", "msdocs-aca", "-g", RG]));
    const asApp = (args: string[] = []) =>
      runCli(["verify", ...args], { env: emu.current.handle.envFor(appId()) });
    const denied = await asApp();
    expect(denied.code).toBe(5);
    const report = json<Report>(denied);
    expect(report.identity).toMatchObject({
      credential: "ManagedIdentityCredential",
      objectId: enabled.principalId,
    });
    expect(report.identity?.resourceId?.toLowerCase()).toBe(appId().toLowerCase());

    const assigned = await cli([
      "assign-role",
      "--containerapp",
      "msdocs-aca",
      "-g",
      RG,
      "--role",
      "Storage Blob Data Reader",
    ]);
    expect(assigned.stderr).not.toMatch(/^error/m);
    expect(assigned.code).toBe(0);
    expect(json<{ principalId: string }>(assigned).principalId).toBe(enabled.principalId);

    const passed = await asApp();
    expect(passed.code).toBe(0);
    expect(json<Report>(passed).result).toBe("pass");
    expect(step(json<Report>(passed), "list-blobs")?.status).toBe("pass");

    // The same, checked from the pipeline (control plane) with the container app as the target.
    const control = await cli([
      "verify",
      "--containerapp",
      "msdocs-aca",
      "-g",
      RG,
      "--account",
      "msdocsstorage",
    ]);
    expect(control.stderr).not.toMatch(/^error/m);
    expect(control.code).toBe(0);
    expect(json<Report>(control)).toMatchObject({ mode: "control-plane", result: "pass" });
  });
});

interface SetupOut {
  result: string;
  setting: { name: string; value: string } | null;
  steps: { step: string; result: string; detail: string }[];
  variables?: Record<string, string>;
}

async function template(): Promise<{ containers: Record<string, unknown>[]; revision: string }> {
  const r = await emu.current.arm("GET", `${appId()}?${API}`);
  const props = r.body.properties as {
    template: { containers: Record<string, unknown>[] };
    latestRevisionName: string;
  };
  return { containers: props.template.containers, revision: props.latestRevisionName };
}

describe("setup --containerapp", () => {
  const SETUP = [
    "setup",
    "--containerapp",
    "msdocs-aca",
    "-g",
    RG,
    "--storage-account",
    "msdocsstorage",
    "--yes",
  ];

  it("without --set-env: identity and role, the env variable named in `variables`, the template untouched", async () => {
    const before = await template();
    const r = await cli(SETUP);
    expect(r.code).toBe(0);
    const out = json<SetupOut>(r);
    expect(out.steps.map((s) => [s.step, s.result])).toEqual([
      ["identity", "updated"],
      ["role", "created"],
      ["env", "skipped"],
      ["verify", "passed"],
    ]);
    expect(out.variables).toEqual({ AZURE_STORAGE_ACCOUNT_NAME: "msdocsstorage" });
    expect(out.steps[2]?.detail).toMatch(/--set-env/);
    expect(r.stderr).toMatch(/template needs, as env/);
    expect(await template()).toEqual(before);
    // Only the identity PATCH and the role assignment PUT.
    expect((await emu.current.writes()).map((w) => w.method)).toEqual(["PATCH", "PUT"]);
  });

  it("--set-env: every container gets the variable, the others and secret refs kept, a new revision; again: zero writes", async () => {
    const before = await template();
    const r = await cli([...SETUP, "--set-env"]);
    expect(r.code).toBe(0);
    const out = json<SetupOut>(r);
    expect(out.steps.map((s) => [s.step, s.result])).toEqual([
      ["identity", "updated"],
      ["role", "created"],
      ["env", "created"],
      ["verify", "passed"],
    ]);
    expect(out.variables).toBeUndefined();
    const after = await template();
    expect(after.revision).not.toBe(before.revision);
    const wanted = { name: "AZURE_STORAGE_ACCOUNT_NAME", value: "msdocsstorage" };
    expect(after.containers).toEqual(
      before.containers.map((c) => ({ ...c, env: [...((c.env as unknown[]) ?? []), wanted] })),
    );
    expect(after.containers[0]?.env).toEqual([
      { name: "LOG_LEVEL", value: "info" },
      { name: "DB_PASSWORD", secretRef: "db-password" },
      wanted,
    ]);

    await emu.current.clearLog();
    const again = await cli([...SETUP, "--set-env"]);
    expect(again.code).toBe(0);
    expect(json<SetupOut>(again).steps.map((s) => s.result)).toEqual([
      "unchanged",
      "unchanged",
      "unchanged",
      "passed",
    ]);
    expect(await emu.current.writes()).toEqual([]);
    expect((await template()).revision).toBe(after.revision);
  });

  it("--set-env is for container apps only, and not with --no-app-setting: exit 2 before any request", async () => {
    await emu.current.clearLog();
    const web = await cli([
      "setup",
      "--webapp",
      "msdocs-web",
      "-g",
      RG,
      "--storage-account",
      "msdocsstorage",
      "--set-env",
    ]);
    expect(web.code).toBe(2);
    expect(web.stderr).toMatch(/^error: --set-env is for --containerapp/m);
    const both = await cli([...SETUP, "--set-env", "--no-app-setting"]);
    expect(both.code).toBe(2);
    expect(await emu.current.armRequests()).toEqual([]);
  });
});
