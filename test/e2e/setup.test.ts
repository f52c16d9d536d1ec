// miauth setup through the built CLI against the emulator: the guide in one run, a re-run that writes
// nothing, a dry run whose plan is what the run then does, a failure half-way that a re-run finishes,
// settings kept byte for byte under two concurrent runs, a VM, and bad input before any request.
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD } from "../../src/emulator/index.js";
import type { World } from "../../src/emulator/world.js";
import { json, runCli } from "../helpers/cli.js";
import { RG, useEmulator, WEB } from "../helpers/emulator.js";

const TEN = Object.fromEntries(
  Array.from({ length: 10 }, (_, i) => [`SETTING_${i}`, `value ${i}: "quoted" =;\u00e9 ${"~".repeat(i)}`]),
);
const world: World = {
  ...DEFAULT_WORLD,
  sites: (DEFAULT_WORLD.sites ?? []).map((s) => (s.name === "msdocs-web" ? { ...s, appSettings: TEN } : s)),
};
const emu = useEmulator({ seed: world, dataPlaneDelayMs: 0, replicationDelayMs: 0 });

const WEBAPP = ["--webapp", "msdocs-web", "-g", RG, "--storage-account", "msdocsstorage"];
const setup = (args: string[], env = emu.current.env) => runCli(["setup", ...args], { env });

interface Step {
  step: string;
  result: string;
  error?: { message: string; exitCode: number };
}
interface Result {
  result: string;
  dryRun: boolean;
  principalId: string | null;
  scope: string;
  setting: { name: string; value: string } | null;
  steps: Step[];
  variables?: Record<string, string>;
}

const results = (r: Result) => r.steps.map((s) => [s.step, s.result]);
const account = () => `${emu.current.rg()}/providers/Microsoft.Storage/storageAccounts/msdocsstorage`;

async function settings(): Promise<Record<string, string>> {
  const r = await emu.current.arm(
    "POST",
    `${emu.current.siteId("msdocs-web")}/config/appsettings/list?${WEB}`,
  );
  return r.body.properties as Record<string, string>;
}

describe("miauth setup", () => {
  it("from scratch: identity, role at the account, the setting with the ten others intact, a passing check; again: zero writes", async () => {
    const first = await setup(WEBAPP);
    expect(first.code, first.stderr).toBe(0);
    const r = json<Result>(first);
    expect(r.result).toBe("updated");
    expect(results(r)).toEqual([
      ["identity", "updated"],
      ["role", "created"],
      ["app-setting", "created"],
      ["verify", "passed"],
    ]);
    expect(r.scope).toBe(account());
    expect(r.principalId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await settings()).toEqual({ ...TEN, AZURE_STORAGE_ACCOUNT_NAME: "msdocsstorage" });
    expect(first.stderr).toMatch(/new DefaultAzureCredential\(\)/);
    expect(first.stderr).toMatch(/process\.env\.AZURE_STORAGE_ACCOUNT_NAME/);

    // The app itself now reaches the account, as the guide's code would.
    const asApp = await runCli(["verify"], {
      env: emu.current.handle.envFor(emu.current.siteId("msdocs-web")),
    });
    expect(asApp.code, asApp.stderr).toBe(0);

    emu.current.clearLog();
    const again = await setup(WEBAPP);
    expect(again.code, again.stderr).toBe(0);
    const a = json<Result>(again);
    expect(a.result).toBe("unchanged");
    expect(results(a)).toEqual([
      ["identity", "unchanged"],
      ["role", "unchanged"],
      ["app-setting", "unchanged"],
      ["verify", "passed"],
    ]);
    expect(await emu.current.writes()).toEqual([]);
  });

  it("--dry-run writes nothing, and its plan is what the run then does", async () => {
    const dry = await setup([...WEBAPP, "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = json<Result>(dry);
    expect(plan).toMatchObject({ result: "would-change", dryRun: true });
    expect(results(plan)).toEqual([
      ["identity", "would-update"],
      ["role", "would-create"],
      ["app-setting", "would-create"],
      ["verify", "skipped"],
    ]);
    expect(await emu.current.writes()).toEqual([]);
    const run = json<Result>(await setup(WEBAPP));
    const done = { "would-update": "updated", "would-create": "created", skipped: "passed" } as Record<
      string,
      string
    >;
    expect(results(run)).toEqual(results(plan).map(([step, result]) => [step, done[result ?? ""] ?? result]));
    expect(run.scope).toBe(plan.scope);
    expect(run.setting).toEqual(plan.setting);
    // After the run, the dry run's plan is empty.
    const after = json<Result>(await setup([...WEBAPP, "--dry-run"]));
    expect(after.result).toBe("unchanged");
  });

  it("a failure at the role step: non-zero, the report says what was done; the same command finishes the job", async () => {
    await emu.current.fault({ method: "PUT", path: "/roleAssignments/" }, { type: "status", status: 403 }, 1);
    const failed = await setup(WEBAPP);
    expect(failed.code).toBe(5);
    const r = json<Result>(failed);
    expect(r.result).toBe("failed");
    expect(results(r)).toEqual([
      ["identity", "updated"],
      ["role", "failed"],
      ["app-setting", "skipped"],
      ["verify", "skipped"],
    ]);
    expect(r.steps[1]?.error?.exitCode).toBe(5);
    expect(failed.stderr).toMatch(/^error: setup stopped at the role step: /m);
    expect(failed.stderr).toMatch(
      /^hint: the steps before it are done; run the same command again to finish$/m,
    );
    expect(await settings()).toEqual(TEN);

    const again = await setup(WEBAPP);
    expect(again.code, again.stderr).toBe(0);
    expect(results(json<Result>(again))).toEqual([
      ["identity", "unchanged"],
      ["role", "created"],
      ["app-setting", "created"],
      ["verify", "passed"],
    ]);
  });

  it("two runs adding different settings at once both end with their keys present, the ten others intact", async () => {
    const [a, b] = await Promise.all([
      setup([...WEBAPP, "--app-setting", "FIRST_ACCOUNT"]),
      setup([...WEBAPP, "--app-setting", "SECOND_ACCOUNT"]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(await settings()).toEqual({
      ...TEN,
      FIRST_ACCOUNT: "msdocsstorage",
      SECOND_ACCOUNT: "msdocsstorage",
    });
  });

  it("a run whose PUT drops another run's key (both read before either wrote): the other run merges again", async () => {
    // B's second read of the settings (the one its write starts from) is kept back after it read them.
    const lists = await emu.current.hold({ method: "POST", path: "/config/appsettings/list" }, 2);
    const held = (count: number) =>
      emu.current.control("GET", `faults/${lists.id}/held?count=${count}&timeoutMs=45000`);
    const runB = setup([...WEBAPP, "--app-setting", "SECOND_ACCOUNT"]);
    await held(1);
    await lists.release();
    await held(2);
    // A runs past B: it writes FIRST_ACCOUNT and reads it back...
    const runA = setup([...WEBAPP, "--app-setting", "FIRST_ACCOUNT"]);
    const path = `${emu.current.siteId("msdocs-web")}/config/appsettings`;
    await emu.current.waitForRequest((r) => r.method === "PUT" && r.path === path, runA);
    // ...then B writes from its older read, without FIRST_ACCOUNT.
    await lists.release();
    const [a, b] = await Promise.all([runA, runB]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(a.stderr).toMatch(
      /were replaced by another writer after miauth wrote FIRST_ACCOUNT; merging again \(write 2 of 3\)/,
    );
    expect(await settings()).toEqual({
      ...TEN,
      FIRST_ACCOUNT: "msdocsstorage",
      SECOND_ACCOUNT: "msdocsstorage",
    });
    const puts = (await emu.current.writes()).filter((w) => w.method === "PUT" && w.path === path);
    expect(puts).toHaveLength(3);
  });

  it("keeps the function app's user-assigned identity, and --no-app-setting writes no setting", async () => {
    const r = await setup([
      "--functionapp",
      "msdocs-func",
      "-g",
      RG,
      "--storage-account",
      "msdocsstorage",
      "--no-app-setting",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = json<
      Result & { steps: (Step & { after?: { type: string; userAssignedIdentities: object } })[] }
    >(r);
    expect(result.steps[0]?.after?.type).toBe("SystemAssigned, UserAssigned");
    expect(Object.keys(result.steps[0]?.after?.userAssignedIdentities ?? {})).toHaveLength(1);
    expect(results(result)[2]).toEqual(["app-setting", "skipped"]);
    expect((await emu.current.writes()).filter((w) => /appsettings/i.test(w.path))).toEqual([]);
  });

  it("a deployment slot: its own identity and its own settings; the app's are left as they were", async () => {
    const r = await setup([...WEBAPP, "--slot", "staging"]);
    expect(r.code, r.stderr).toBe(0);
    const result = json<Result & { target: string }>(r);
    expect(result.target).toBe(`${emu.current.siteId("msdocs-web")}/slots/staging`);
    expect(results(result)).toEqual([
      ["identity", "updated"],
      ["role", "created"],
      ["app-setting", "created"],
      ["verify", "passed"],
    ]);
    const slot = await emu.current.arm(
      "POST",
      `${emu.current.siteId("msdocs-web")}/slots/staging/config/appsettings/list?${WEB}`,
    );
    expect(slot.body.properties).toEqual({ AZURE_STORAGE_ACCOUNT_NAME: "msdocsstorage" });
    expect(await settings()).toEqual(TEN);
    const site = await emu.current.arm("GET", `${emu.current.siteId("msdocs-web")}?${WEB}`);
    expect(site.body.identity).toBeUndefined();
  });

  it("a VM: the guide's resource-group scope, no app settings, the variables the app needs instead", async () => {
    const r = await setup([
      "--vm",
      "msdocs-vm",
      "-g",
      RG,
      "--storage-account",
      "msdocsstorage",
      "--scope",
      "resource-group",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = json<Result>(r);
    expect(result.scope).toBe(emu.current.rg());
    expect(result.variables).toEqual({ AZURE_STORAGE_ACCOUNT_NAME: "msdocsstorage" });
    expect(results(result)[2]).toEqual(["app-setting", "skipped"]);
    expect(r.stderr).toMatch(/^ {2}export AZURE_STORAGE_ACCOUNT_NAME=msdocsstorage$/m);
  });

  it("a storage account that does not exist is exit 3 naming it, before any write", async () => {
    const r = await setup(["--webapp", "msdocs-web", "-g", RG, "--storage-account", "nosuchaccount"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: storage account 'nosuchaccount' was not found/m);
    expect(await emu.current.writes()).toEqual([]);
  });

  it.each([
    [["--webapp", "msdocs-web", "-g", RG], "error: --storage-account NAME is required"],
    [
      [...WEBAPP, "--scope", "subscription"],
      "error: invalid --scope 'subscription': use account, container:NAME or resource-group",
    ],
    [
      [...WEBAPP, "--app-setting", "1BAD-NAME"],
      "error: invalid --app-setting '1BAD-NAME': use letters, digits and '_' (not starting with a digit), as an environment variable",
    ],
    [[...WEBAPP, "--wait", "soon"], "error: invalid --wait 'soon'"],
  ])("bad input %j is one line before any request", async (args, line) => {
    emu.current.clearLog();
    const r = await setup(args);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toContain(line);
    expect(await emu.current.requests()).toEqual([]);
  });
});
