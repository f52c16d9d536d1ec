// What miauth takes from users and servers before it acts or prints: blob endpoints, role-definition
// and storage-account replies, server text on stderr, --query on a write's result, --timeout in roles.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD } from "../../src/emulator/index.js";
import { json, runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";

const RG = "msdocs-sdk-auth-example";
const ACCOUNT = "msdocsstorage";
const CONTAINER = "msdocs-container";
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const BLOB_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
const HTML = {
  type: "raw",
  status: 200,
  contentType: "text/html",
  body: "<html>Sign in to the Wi-Fi</html>",
};
const WEB = ["--webapp", "msdocs-web", "-g", RG];

const emu = useEmulator({
  dataPlaneDelayMs: 0,
  replicationDelayMs: 0,
  seed: {
    ...DEFAULT_WORLD,
    roleAssignments: [
      ...DEFAULT_WORLD.roleAssignments,
      {
        principalId: DEFAULT_WORLD.operator.principalId,
        roleDefinitionName: "Storage Blob Data Contributor",
        scope: `/subscriptions/{subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/${ACCOUNT}`,
      },
    ],
  } as typeof DEFAULT_WORLD,
});
const E = () => emu.current;

interface Step {
  name: string;
  status: string;
  code: string | null;
  message: string | null;
}

const operator = (args: string[]) => runCli(args, { env: E().env });

function asApp(args: string[], extra: Record<string, string | undefined> = {}) {
  return runCli(["verify", ...args], {
    env: { ...E().handle.envFor(E().siteId("msdocs-web")), ...extra },
    cwd: mkdtempSync(join(tmpdir(), "app-")),
  });
}

/** Arranged through the emulator (enable and assign-role are tested elsewhere). */
async function contributor(): Promise<void> {
  await E().assignRole(await enableWeb(), "Storage Blob Data Contributor");
}

function enableWeb(): Promise<string> {
  return E().enableSystem(E().siteId("msdocs-web"));
}

describe("replies miauth decides from are checked", () => {
  it("verify's network step: a storage account read that came back as HTML is exit 1, not 'allowed'", async () => {
    await enableWeb();
    await E().control("POST", `storage/${ACCOUNT}/firewall`, { enabled: true });
    // Count 1: the role-assignment list at the account comes next and has the same path prefix.
    await E().fault({ method: "GET", path: `storageAccounts/${ACCOUNT}` }, HTML, 1);
    const r = await operator(["verify", ...WEB, "--account", ACCOUNT]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: the reply to GET \/subscriptions\/[^ ]+\/storageAccounts\/msdocsstorage is not usable: content type 'text\/html', not JSON$/m,
    );
    expect(r.stderr).not.toMatch(/public network access allowed/);
  });

  it("assign-role --role GUID: a role definition read that came back as HTML is exit 1, nothing written", async () => {
    await enableWeb();
    await E().clearLog();
    await E().fault({ method: "GET", path: `roleDefinitions/${READER}` }, HTML, 5);
    const r = await operator(["assign-role", ...WEB, "--role", READER]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^error: the reply to GET /subscriptions/[^ ]+/roleDefinitions/${READER} is not usable`,
        "m",
      ),
    );
    expect(r.stderr).not.toMatch(/does not exist/);
    expect(await E().writes()).toEqual([]);
  });

  it("verify's control plane: a role definition read (by ID) that came back as another role is exit 1", async () => {
    await contributor();
    await E().fault(
      { method: "GET", path: `roleDefinitions/${BLOB_CONTRIBUTOR}` },
      {
        type: "raw",
        status: 200,
        contentType: "application/json",
        body: JSON.stringify({
          id: `/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
          properties: {},
        }),
      },
      5,
    );
    const r = await operator(["verify", ...WEB, "--account", ACCOUNT]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^error: the reply to GET /subscriptions/[^ ]+/roleDefinitions/${BLOB_CONTRIBUTOR} is not usable: it is not the role definition asked for$`,
        "m",
      ),
    );
    expect(r.stdout).not.toMatch(/no role grants/);
  });

  it("show: a role definition read that came back as HTML is exit 1, not a role shown by its GUID", async () => {
    await contributor();
    await E().fault({ method: "GET", path: `roleDefinitions/${BLOB_CONTRIBUTOR}` }, HTML, 5);
    const r = await operator(["show", ...WEB]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^error: the reply to GET /subscriptions/[^ ]+/roleDefinitions/${BLOB_CONTRIBUTOR} is not usable`,
        "m",
      ),
    );
    expect(r.stdout).toBe("");
  });

  it("roles list honours --timeout on a hung ARM", async () => {
    await E().fault({ method: "GET", path: "roleDefinitions" }, { type: "latency", ms: 30_000 }, 5);
    const started = Date.now();
    const r = await operator(["roles", "list", "--name", "Reader", "--timeout", "2s"]);
    expect(r.code).toBe(6);
    expect(Date.now() - started).toBeLessThan(3500);
  });
});

describe("what verify's data plane reports", () => {
  it("server text with a terminal escape reaches stderr escaped", async () => {
    await contributor();
    await E().fault(
      { method: "DELETE", kind: "blob", path: "miauth-verify-probe-" },
      {
        type: "raw",
        status: 400,
        contentType: "application/xml",
        body: '<?xml version="1.0" encoding="utf-8"?><Error><Code>Odd</Code><Message>bad \u001b[2J\u001b]0;owned\u0007</Message></Error>',
      },
      5,
    );
    const r = await asApp(["--access", "write", "--container", CONTAINER, "--debug"]);
    expect(r.code).toBe(1);
    expect(step(r.stdout, "delete-probe")?.status).toBe("fail");
    expect(r.stderr).toMatch(/delete-probe .*bad \\x1b\[2J/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for raw escapes is the point
    expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });

  it("a probe that is gone at delete time fails delete-probe (ProbeGone): nothing was deleted", async () => {
    await contributor();
    const put = await E().hold({ method: "PUT", kind: "blob", path: "miauth-verify-probe-" });
    const run = asApp(["--access", "write", "--container", CONTAINER]);
    await put.waitHeld(run);
    const probe = (await E().blobNames(ACCOUNT, CONTAINER)).find((n) => n.startsWith("miauth-verify-probe-"));
    expect(probe).toBeDefined();
    expect((await E().blob("DELETE", `/${ACCOUNT}/${CONTAINER}/${probe}`)).status).toBe(202);
    await put.release();
    const r = await run;
    expect(r.code).toBe(1);
    expect(step(r.stdout, "write-probe")?.status).toBe("pass");
    expect(step(r.stdout, "delete-probe")).toMatchObject({ status: "fail", code: "ProbeGone" });
    expect(r.stderr).toMatch(/^error: verify failed: delete-probe \(ProbeGone\)/m);
  });
});

describe("--query that fails on the result", () => {
  it("after a write: exit 2, says the change was made, prints the result unfiltered", async () => {
    const r = await operator(["enable", ...WEB, "--query", "abs(principalId)"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: the command completed and its changes were made, but --query failed/m);
    expect(json<{ type: string; principalId: string }>(r)).toMatchObject({ type: "SystemAssigned" });
    expect((await E().writes()).map((w) => w.method)).toEqual(["PATCH"]);
  });

  it("with nothing written: exit 2, nothing on stdout", async () => {
    const r = await operator(["show", ...WEB, "--query", "abs(resourceId)"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: query "abs\(resourceId\)" failed/m);
  });
});

function step(stdout: string, name: string): Step | undefined {
  return (JSON.parse(stdout) as { steps: Step[] }).steps.find((s) => s.name === name);
}
