// Usage errors in-process, as a table: each row runs main(argv, { io, env }) and must end with exit 2,
// exactly its message on stderr, nothing on stdout, no connection opened by this process, and an empty
// request log at the emulator the environment points at. A few of these run as the built binary too
// (test/e2e/bad-input.test.ts and the other e2e files), for what only a real process shows.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli.js";
import { DEFAULT_WORLD } from "../../src/emulator/index.js";
import { baseEnv } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { stderrOf, type UsageRow } from "../helpers/usage.js";
import { fakeIo } from "../output/fakes.js";

const SUB = DEFAULT_WORLD.subscriptions[0]?.subscriptionId ?? "";
const RG = "msdocs-sdk-auth-example";
const RG_ID = `/subscriptions/${SUB}/resourceGroups/${RG}`;
const STORE = `${RG_ID}/providers/Microsoft.Storage/storageAccounts/msdocsstorage`;
const SITE = `${RG_ID}/providers/Microsoft.Web/sites/msdocs-web`;
const UAMI = `${RG_ID}/providers/Microsoft.ManagedIdentity/userAssignedIdentities`;
const P = "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5";
const Q = "7a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
const OWNER_GUID = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const READER_ID = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

const SCOPE_FORMS =
  "expected /subscriptions/{id}[/resourceGroups/{group}[/providers/{namespace}/{type}/{name}…]]";
const ID_FORM = "expected /subscriptions/{id}/resourceGroups/{group}/providers/{namespace}/{type}/{name}";
const TARGET_FLAGS = "--webapp, --functionapp, --vm, --containerapp (with -g) or --ids";
const DURATION_SYNTAX =
  "use a whole number of seconds or a whole number with s, m, h or d, e.g. 30s, 5m or 1h";
const RG_RULE = "use 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'";
const ACCOUNT_RULE = "use 3-24 lowercase letters and digits";

// Files the rows read or would write, made before the table is collected.
const dir = mkdtempSync(join(tmpdir(), "miauth-usage-"));
const file = (name: string, text: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const LONG_LINE = file("long.txt", `${P}\n${"x".repeat(5000)}\n`);
const ONE_ID = file("one.txt", `${P}\n`);
const NO_IDS = file("comments.txt", "# nobody yet\n\n");
const BAD_LINE = file("bad-line.txt", `${P}\nnot-a-guid\n`);
const BIG = file("big.txt", Buffer.alloc(1024 * 1024 + 1, "a"));
const PLAIN = file("plain", "");
const SEED = file("world.json", JSON.stringify({ subscriptions: "nope" }));
const APP_DIR = mkdtempSync(join(dir, "app-"));
writeFileSync(join(APP_DIR, ".env"), "AZURE_STORAGE_ACCOUNT_NAME=Not_Valid\n");
const NO_EMULATOR = join(dir, "no-such-emulator-dir");

const assign = (...more: string[]) => ["assign-role", "--assignee", P, "--role", "Reader", ...more];
const owner = (scope: string, ...more: string[]) => [
  "assign-role",
  "--assignee",
  P,
  "--role",
  "Owner",
  "--scope",
  scope,
  ...more,
];
const control = (...more: string[]) => ["verify", "--principal", P, ...more];
const dataPlane = { AZURE_STORAGE_ACCOUNT_NAME: "msdocsstorage" };
const BLOB = "https://127.0.0.1:1/msdocsstorage";

const emu = useEmulator({ blob: false });
let env: Record<string, string>;
beforeAll(() => {
  // The rows' subscription is the emulator's: a row that slipped past validation would find its target.
  expect(emu.current.sub).toBe(SUB);
  env = { ...baseEnv(), ...emu.current.env };
  delete env.NODE_OPTIONS;
});
afterAll(() => {
  for (const d of [dir, env.HOME ?? ""]) rmSync(d, { recursive: true, force: true });
});

/** Runs one row in-process and checks everything a usage error promises, and that process state is as it was. */
async function refuse(row: UsageRow): Promise<void> {
  const rowEnv: Record<string, string> = { ...env };
  for (const [k, v] of Object.entries(row.env ?? {})) {
    if (v === undefined) delete rowEnv[k];
    else rowEnv[k] = v;
  }
  const { io, stdout, stderr } = fakeIo();
  const before = {
    sigint: process.listenerCount("SIGINT"),
    sigterm: process.listenerCount("SIGTERM"),
    env: { ...process.env },
    cwd: process.cwd(),
    exitCode: process.exitCode,
  };
  const connect = vi.spyOn(Socket.prototype, "connect");
  let code: number;
  let connections: number;
  try {
    if (row.cwd) process.chdir(row.cwd);
    code = await main(["node", "miauth", ...row.args], { io, env: rowEnv });
  } finally {
    connections = connect.mock.calls.length;
    connect.mockRestore();
    process.chdir(before.cwd);
  }
  // Every connection this process opens goes through net.Socket#connect, loopback and TLS included.
  expect({ code, stdout: stdout.text, stderr: stderr.text, connections }).toEqual({
    code: 2,
    stdout: "",
    stderr: stderrOf(row),
    connections: 0,
  });
  expect(await emu.current.requests()).toEqual([]);
  expect({
    sigint: process.listenerCount("SIGINT"),
    sigterm: process.listenerCount("SIGTERM"),
    env: process.env,
    cwd: process.cwd(),
    exitCode: process.exitCode,
  }).toEqual(before);
}

const table = (rows: UsageRow[]) => it.each(rows.map((r) => [r.name, r] as const))("%s", (_, r) => refuse(r));

describe("the command line itself (commander)", () => {
  table([
    { name: "an unknown command", args: ["frobnicate"], error: "unknown command 'frobnicate'", usage: true },
    {
      name: "an unknown flag",
      args: ["enable", "--webapp", "a1", "-g", RG, "--bogus"],
      error: "unknown option '--bogus'",
      usage: true,
    },
    {
      name: "a flag without its value",
      args: ["enable", "--webapp"],
      error: "option '--webapp <name>' argument missing",
      usage: true,
    },
    {
      name: "an unknown flag with terminal escapes is echoed escaped",
      args: ["show", "--webapp", "a1", "-g", RG, "--bo\u001b]0;title\u0007gus"],
      error: "unknown option '--bo\\x1b]0;title\\x07gus'",
      usage: true,
    },
  ]);
});

describe("global options and the environment", () => {
  const show = ["show", "--webapp", "msdocs-web", "-g", RG];
  table([
    {
      name: "-o xml",
      args: [...show, "-o", "xml"],
      error: 'invalid output format "xml" (allowed: json, jsonc, yaml, table, tsv, none)',
    },
    {
      name: "MIAUTH_OUTPUT=xml",
      args: show,
      env: { MIAUTH_OUTPUT: "xml" },
      error: 'invalid output format "xml" (allowed: json, jsonc, yaml, table, tsv, none)',
    },
    {
      name: "--query that does not parse",
      args: [...show, "--query", "[?"],
      error: 'invalid JMESPath query "[?": Invalid token (EOF): ""',
    },
    {
      name: "--query with an unknown function (failed after the PATCH, once)",
      args: ["enable", ...show.slice(1), "--query", "nosuchfn(@)"],
      error: 'invalid JMESPath query "nosuchfn(@)": unknown function nosuchfn()',
    },
    {
      name: "--query with a wrong number of arguments",
      args: ["enable", ...show.slice(1), "--query", "length(@, @)"],
      error: 'invalid JMESPath query "length(@, @)": length() takes 1 argument, not 2',
    },
    {
      name: "--query with an argument that can never have the right type",
      args: ["enable", ...show.slice(1), "--query", "sort_by(@, name)"],
      error: 'invalid JMESPath query "sort_by(@, name)": sort_by() expected argument 2 to be type expression',
    },
    {
      name: "--cloud Mars",
      args: [...show, "--cloud", "Mars"],
      error: "unknown --cloud 'Mars': use AzureCloud, AzureUSGovernment, AzureChinaCloud",
    },
    {
      name: "MIAUTH_CLOUD=Mars",
      args: show,
      env: { MIAUTH_CLOUD: "Mars" },
      error: "unknown --cloud 'Mars': use AzureCloud, AzureUSGovernment, AzureChinaCloud",
    },
    {
      name: "--arm-endpoint over plain http",
      args: [...show, "--arm-endpoint", "http://127.0.0.1:1"],
      error:
        "invalid ARM endpoint 'http://127.0.0.1:1': it must be https (the Azure SDK never sends a token over plain http)",
    },
    {
      name: "--arm-endpoint with a user name and password, never printed",
      args: [...show, "--arm-endpoint", "https://admin:s3cret@127.0.0.1:1"],
      error: "invalid ARM endpoint 'https://…@127.0.0.1:1': no user name or password allowed in it",
    },
    {
      name: "MIAUTH_ARM_ENDPOINT with a user name and password, never printed",
      args: show,
      env: { MIAUTH_ARM_ENDPOINT: "https://admin:s3cret@127.0.0.1:1" },
      error: "invalid ARM endpoint 'https://…@127.0.0.1:1': no user name or password allowed in it",
    },
    {
      name: "--arm-endpoint that is not a URL",
      args: [...show, "--arm-endpoint", "management"],
      error: "invalid ARM endpoint 'management': expected an https:// URL",
    },
    {
      name: "--arm-endpoint with a query",
      args: [...show, "--arm-endpoint", "https://127.0.0.1:1/?sig=s3cret"],
      error: "invalid ARM endpoint 'https://127.0.0.1:1/?…': no query or fragment allowed",
    },
    {
      name: "AZURE_TOKEN_CREDENTIALS=Bogus",
      args: show,
      env: { AZURE_TOKEN_CREDENTIALS: "Bogus" },
      error:
        "invalid AZURE_TOKEN_CREDENTIALS 'Bogus': use dev, prod or one of EnvironmentCredential, WorkloadIdentityCredential, ManagedIdentityCredential, VisualStudioCodeCredential, AzureCliCredential, AzurePowerShellCredential, AzureDeveloperCliCredential",
    },
    {
      name: "AZURE_SUBSCRIPTION_ID that is not a GUID",
      args: show,
      env: { AZURE_SUBSCRIPTION_ID: "nope" },
      error: "AZURE_SUBSCRIPTION_ID 'nope' is not a GUID",
    },
    { name: "--subscription ''", args: [...show, "--subscription", ""], error: "--subscription is empty" },
  ]);
});

describe("--timeout and the other durations", () => {
  const soon = (cmd: string[]) => ({
    name: `${cmd.slice(0, 2).join(" ")} --timeout soon`,
    args: [...cmd, "--timeout", "soon"],
    error: `invalid --timeout 'soon': ${DURATION_SYNTAX}`,
  });
  table([
    soon(["show", "--webapp", "msdocs-web", "-g", RG]),
    soon(["enable", "--webapp", "msdocs-web", "-g", RG]),
    soon(["disable", "--webapp", "msdocs-web", "-g", RG]),
    soon(["roles", "list"]),
    soon(["doctor"]),
    soon(assign("-g", RG)),
    soon(["unassign-role", "--assignee", P, "--role", "Reader", "-g", RG]),
    soon(control("--account", "msdocsstorage", "-g", RG)),
    {
      name: "--timeout 30d (overflowed Node's timer after the PATCH, once)",
      args: ["enable", "--vm", "msdocs-vm", "-g", RG, "--timeout", "30d"],
      error: "invalid --timeout '30d': at most 24h",
    },
    {
      name: "--timeout 99999999999999999999",
      args: ["enable", "--vm", "msdocs-vm", "-g", RG, "--timeout", "99999999999999999999"],
      error: "invalid --timeout '99999999999999999999': at most 24h",
    },
    {
      name: "--timeout 1.5 (1.5 ms, once)",
      args: ["enable", "--vm", "msdocs-vm", "-g", RG, "--timeout", "1.5"],
      error: `invalid --timeout '1.5': ${DURATION_SYNTAX}`,
    },
    {
      name: "--timeout 0 (exit 6 at once, once)",
      args: ["enable", "--vm", "msdocs-vm", "-g", RG, "--timeout", "0"],
      error: "invalid --timeout '0': it must be more than 0",
    },
    {
      name: "verify --timeout 0s",
      args: control("--account", "msdocsstorage", "-g", RG, "--timeout", "0s"),
      error: "invalid --timeout '0s': it must be more than 0",
    },
    {
      name: "--principal-wait 2 hours",
      args: assign("-g", RG, "--principal-wait", "2 hours"),
      error: `invalid --principal-wait '2 hours': ${DURATION_SYNTAX}`,
    },
    {
      name: "--principal-wait soon",
      args: assign("-g", RG, "--principal-wait", "soon"),
      error: `invalid --principal-wait 'soon': ${DURATION_SYNTAX}`,
    },
    {
      name: "verify --wait 30d",
      args: control("--account", "msdocsstorage", "-g", RG, "--wait", "30d"),
      error: "invalid --wait '30d': at most 24h",
    },
  ]);
});

describe("targets: enable, disable, show", () => {
  table([
    { name: "no target", args: ["enable"], error: `no target given: use ${TARGET_FLAGS}` },
    {
      name: "two targets",
      args: ["enable", "--webapp", "a1", "--vm", "v1", "-g", RG],
      error: `conflicting targets --webapp and --vm: give exactly one of ${TARGET_FLAGS}`,
    },
    {
      name: "a name and --ids",
      args: ["show", "--functionapp", "f1", "--ids", SITE],
      error: `conflicting targets --functionapp and --ids: give exactly one of ${TARGET_FLAGS}`,
    },
    {
      name: "a name without its group",
      args: ["enable", "--webapp", "a1"],
      error: "--webapp needs -g/--resource-group",
    },
    {
      name: "disable: a VM without its group",
      args: ["disable", "--vm", "v1"],
      error: "--vm needs -g/--resource-group",
    },
    {
      name: "-g with --ids",
      args: ["show", "--ids", SITE, "-g", RG],
      error: "-g/--resource-group cannot be combined with --ids: the ID names the group",
    },
    {
      name: "an invalid site name",
      args: ["enable", "--webapp", "-bad-", "-g", RG],
      error:
        "invalid --webapp name '-bad-': use 2-60 letters, digits or hyphens, not starting or ending with a hyphen",
    },
    {
      name: "a one-letter function app name",
      args: ["show", "--functionapp", "f", "-g", RG],
      error: "invalid --functionapp name 'f': it must be at least 2 characters",
    },
    {
      name: "an invalid VM name",
      args: ["disable", "--vm", "vm.", "-g", RG],
      error:
        "invalid --vm name 'vm.': use 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit and not ending in '.' or '-'",
    },
    {
      name: "an invalid group",
      args: ["show", "--vm", "v1", "-g", "bad/group"],
      error: `invalid resource group name 'bad/group': ${RG_RULE}`,
    },
    {
      name: "user input echoed in an error loses its newlines and terminal escapes",
      args: ["show", "--webapp", "a\u001b[2Jb\nerror: fake", "-g", RG],
      error:
        "invalid --webapp name 'a\\x1b[2Jb\\nerror: fake': use 2-60 letters, digits or hyphens, not starting or ending with a hyphen",
    },
    {
      name: "--ids whose subscription is not a GUID",
      args: [
        "enable",
        "--ids",
        "/subscriptions/not-a-guid/resourceGroups/x/providers/Microsoft.Web/sites/a1",
      ],
      error: `invalid --ids '/subscriptions/not-a-guid/resourceGroups/x/providers/Microsoft.Web/sites/a1': the subscription is not a GUID; ${ID_FORM}`,
    },
    {
      name: "--ids of an unsupported type",
      args: ["enable", "--ids", `${RG_ID}/providers/Microsoft.Storage/storageAccounts/s1`],
      error:
        "unsupported resource type 'Microsoft.Storage/storageAccounts' in --ids: expected Microsoft.Web/sites, Microsoft.Compute/virtualMachines or Microsoft.App/containerApps",
    },
    {
      name: "--ids of a subscription",
      args: ["show", "--ids", `/subscriptions/${SUB}`],
      error: `invalid --ids '/subscriptions/${SUB}': ${ID_FORM}`,
    },
    {
      name: "--ids with an escape",
      args: ["show", "--ids", `${RG_ID}/providers/Microsoft.Web/sites/%2e%2e`],
      error: `invalid --ids '${RG_ID}/providers/Microsoft.Web/sites/%2e%2e': it contains '%'; ${ID_FORM}`,
    },
    {
      name: "--ids with a provider that is not a namespace",
      args: ["show", "--ids", `${RG_ID}/providers/web/sites/a1`],
      error: `invalid --ids '${RG_ID}/providers/web/sites/a1': 'web' is not a provider namespace; ${ID_FORM}`,
    },
    {
      name: "--ids of a site with a one-letter name",
      args: ["disable", "--ids", `${RG_ID}/providers/Microsoft.Web/sites/a`],
      error: "invalid site name 'a': it must be at least 2 characters",
    },
    {
      name: "--user-assigned neither a name nor an ID",
      args: ["enable", "--webapp", "a1", "-g", RG, "--user-assigned", "msdocs uami"],
      error:
        "invalid --user-assigned 'msdocs uami': give a user-assigned identity's name (3-128 letters, digits, '-' or '_', starting with a letter or digit) or its full resource ID",
    },
    {
      name: "--user-assigned that climbs",
      args: ["enable", "--webapp", "msdocs-web", "-g", RG, "--user-assigned", `${UAMI}/..`],
      error: `invalid --user-assigned ID '${UAMI}/..': '..' is not a name; ${ID_FORM}`,
    },
    {
      name: "--user-assigned of another type",
      args: ["disable", "--webapp", "a1", "-g", RG, "--user-assigned", SITE],
      error: `invalid --user-assigned ID '${SITE}': expected .../providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}`,
    },
    {
      name: "--user-assigned with a name too short",
      args: ["disable", "--webapp", "a1", "-g", RG, "--user-assigned", `${UAMI}/ab`],
      error: `invalid user-assigned identity name 'ab' in '${UAMI}/ab'`,
    },
    {
      name: "--no-system-assigned without --user-assigned",
      args: ["enable", "--webapp", "a1", "-g", RG, "--no-system-assigned"],
      error: "--no-system-assigned needs at least one --user-assigned identity",
    },
  ]);
});

describe("scopes: parsed into segments, nothing a URL layer would reinterpret", () => {
  const bad = (value: string, why: string, flag = "--scope") =>
    `invalid ${flag} '${value}': ${why}; ${SCOPE_FORMS}`;
  table([
    {
      name: "…/providers/../../.. (Owner at the subscription, once)",
      args: owner(`${RG_ID}/providers/../../..`),
      error: bad(`${RG_ID}/providers/../../..`, "'..' is not a name"),
    },
    {
      name: "%2e%2e",
      args: owner(`${RG_ID}/providers/%2e%2e/%2e%2e/%2e%2e`),
      error: bad(`${RG_ID}/providers/%2e%2e/%2e%2e/%2e%2e`, "it contains '%'"),
    },
    {
      name: "…/containers/.. (the blob service, once)",
      args: [
        "assign-role",
        "--assignee",
        P,
        "--role",
        "Storage Blob Data Reader",
        "--scope",
        `${STORE}/blobServices/default/containers/..`,
      ],
      error: bad(`${STORE}/blobServices/default/containers/..`, "'..' is not a name"),
    },
    {
      name: "a query (the account itself, once)",
      args: owner(`${STORE}?api-version=1`),
      error: bad(`${STORE}?api-version=1`, "it contains '?'"),
    },
    { name: "a fragment", args: owner(`${STORE}#x`), error: bad(`${STORE}#x`, "it contains '#'") },
    {
      name: "%2F in --dry-run",
      args: owner(`${RG_ID}%2Fproviders%2Fx`, "--dry-run"),
      error: bad(`${RG_ID}%2Fproviders%2Fx`, "it contains '%'"),
    },
    {
      name: "unassign-role with ..",
      args: ["unassign-role", "--assignee", P, "--role", "Reader", "--scope", `${STORE}/..`],
      error: bad(`${STORE}/..`, "'..' is not a name"),
    },
    {
      name: "roles list with ..",
      args: ["roles", "list", "--scope", `${RG_ID}/..`],
      error: bad(`${RG_ID}/..`, "'..' is not a name"),
    },
    {
      name: "roles list with a backslash",
      args: ["roles", "list", "--scope", `${RG_ID}\\..`],
      error: bad(`${RG_ID}\\..`, "it contains '\\'"),
    },
    {
      name: "a newline stays one line",
      args: ["roles", "list", "--scope", `${RG_ID}\n/x`],
      error: bad(`${RG_ID}\\n/x`, "it contains U+000A"),
    },
    {
      name: "fullwidth dots",
      args: ["roles", "list", "--scope", `${STORE}/\uff0e\uff0e`],
      error: bad(`${STORE}/\uff0e\uff0e`, "'..' is not a name once normalized"),
    },
    {
      name: "an empty segment",
      args: ["roles", "list", "--scope", `${RG_ID}//x`],
      error: bad(`${RG_ID}//x`, "it has an empty segment"),
    },
    {
      name: "no leading /",
      args: assign("--scope", "subscriptions/x"),
      error: bad("subscriptions/x", "it must start with /"),
    },
    {
      name: "the root scope",
      args: ["roles", "list", "--scope", "/"],
      error: bad("/", "the root scope '/' is not supported"),
    },
    {
      name: "a provider-level scope",
      args: ["roles", "list", "--scope", "/providers/Microsoft.Storage/x"],
      error: bad("/providers/Microsoft.Storage/x", "unsupported provider-level scope"),
    },
    {
      name: "/subscriptions alone",
      args: ["roles", "list", "--scope", "/subscriptions"],
      error: bad("/subscriptions", "it must start with /subscriptions/{id}"),
    },
    {
      name: "a subscription that is not a GUID",
      args: ["roles", "list", "--scope", "/subscriptions/nope"],
      error: bad("/subscriptions/nope", "the subscription is not a GUID"),
    },
    {
      name: "something else after the subscription",
      args: ["roles", "list", "--scope", `/subscriptions/${SUB}/groups/x`],
      error: bad(`/subscriptions/${SUB}/groups/x`, "expected resourceGroups after the subscription"),
    },
    {
      name: "an invalid group in the scope",
      args: assign("--scope", `/subscriptions/${SUB}/resourceGroups/bad.`),
      error: bad(`/subscriptions/${SUB}/resourceGroups/bad.`, "invalid resource group name 'bad.'"),
    },
    {
      name: "no providers after the group",
      args: assign("--scope", `${RG_ID}/things/x`),
      error: bad(
        `${RG_ID}/things/x`,
        "expected /providers/{namespace}/{type}/{name} after the resource group",
      ),
    },
    {
      name: "a namespace without a type",
      args: assign("--scope", `${RG_ID}/providers/Microsoft.Storage`),
      error: bad(`${RG_ID}/providers/Microsoft.Storage`, "expected {type}/{name} after 'Microsoft.Storage'"),
    },
    {
      name: "a type without a name",
      args: assign("--scope", `${RG_ID}/providers/Microsoft.Storage/storageAccounts`),
      error: bad(
        `${RG_ID}/providers/Microsoft.Storage/storageAccounts`,
        "the resource type 'storageAccounts' has no name after it",
      ),
    },
    {
      name: "a type that is not one",
      args: assign("--scope", `${RG_ID}/providers/Microsoft.Storage/1x/y`),
      error: bad(`${RG_ID}/providers/Microsoft.Storage/1x/y`, "'1x' is not a resource type"),
    },
  ]);
});

describe("assign-role and unassign-role", () => {
  table([
    {
      name: "no assignee",
      args: ["assign-role", "--role", "Reader", "-g", RG],
      error:
        "no assignee: use --assignee ID, --assignees-file FILE, --identity NAME|ID, or --webapp/--functionapp/--vm/--containerapp NAME -g RG / --ids ID",
    },
    {
      name: "--identity that is neither a name nor an identity's ID",
      args: ["assign-role", "--identity", "x!", "--role", "Reader", "-g", RG],
      error:
        "invalid --identity 'x!': give a user-assigned identity's name (3-128 letters, digits, '-' or '_') or its full resource ID",
    },
    {
      name: "--identity with --assignee",
      args: ["assign-role", "--identity", "msdocs-uami", "--assignee", P, "--role", "Reader", "-g", RG],
      error: "give the assignee either as --assignee/--assignees-file or as --identity, not both",
    },
    {
      name: "--identity-resource-group without --identity",
      args: ["assign-role", "--assignee", P, "--identity-resource-group", RG, "--role", "Reader", "-g", RG],
      error: "--identity-resource-group is for --identity given by name",
    },
    {
      name: "--identity as a web app's ID",
      args: [
        "verify",
        "--identity",
        `${RG_ID}/providers/Microsoft.Web/sites/x`,
        "--account",
        "msdocsstorage",
      ],
      error: `invalid --identity '${RG_ID}/providers/Microsoft.Web/sites/x': expected /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}`,
    },
    {
      name: "verify --client-id with a target",
      args: ["verify", "--vm", "v", "-g", RG, "--client-id", P, "--account", "msdocsstorage"],
      error: "--client-id is for the data plane (no target): the control plane takes --identity NAME|ID",
    },
    {
      name: "verify --client-id that is no GUID",
      args: ["verify", "--client-id", "abc", "--account", "msdocsstorage"],
      error: "--client-id 'abc' is not a GUID",
    },
    {
      name: "an assignee that is no GUID, user principal name or name",
      args: ["assign-role", "--assignee", "a@b@c", "--role", "Reader", "-g", RG],
      error: "--assignee 'a@b@c' is not a user principal name (user@domain)",
    },
    { name: "no --role", args: ["assign-role", "--assignee", P, "-g", RG], error: "--role is required" },
    {
      name: "unassign-role: no --role",
      args: ["unassign-role", "--assignee", P, "-g", RG],
      error: "--role is required",
    },
    { name: "no scope", args: assign(), error: "no scope: use -g/--resource-group RG or --scope SCOPE" },
    {
      name: "conflicting -g and --scope",
      args: assign("-g", RG, "--scope", RG_ID),
      error: "conflicting -g and --scope: give one scope",
    },
    {
      name: "unassign-role: conflicting -g and --scope",
      args: ["unassign-role", "--assignee", P, "--role", "Reader", "-g", RG, "--scope", STORE],
      error: "conflicting -g and --scope: give one scope",
    },
    {
      name: "an invalid group",
      args: assign("-g", "bad/group"),
      error: `invalid resource group name 'bad/group': ${RG_RULE}`,
    },
    {
      name: "an assignee and a target: not both",
      args: ["assign-role", "--assignee", P, "--webapp", "msdocs-web", "-g", RG, "--role", "Reader"],
      error:
        "give the assignee either as --assignee/--assignees-file or as --webapp/--functionapp/--vm/--containerapp/--ids, not both",
    },
    {
      name: "unassign-role: an assignees file and --ids: not both",
      args: ["unassign-role", "--assignees-file", ONE_ID, "--ids", SITE, "--role", "Reader"],
      error:
        "give the assignee either as --assignee/--assignees-file or as --webapp/--functionapp/--vm/--containerapp/--ids, not both",
    },
    {
      name: "--concurrency 0",
      args: assign("-g", RG, "--concurrency", "0"),
      error: "invalid --concurrency '0': use a whole number from 1 to 64",
    },
    {
      name: "--concurrency 65",
      args: assign("-g", RG, "--concurrency", "65"),
      error: "invalid --concurrency '65': use a whole number from 1 to 64",
    },
    {
      name: "--concurrency 2.5",
      args: ["unassign-role", "--assignee", P, "--role", "Reader", "-g", RG, "--concurrency", "2.5"],
      error: "invalid --concurrency '2.5': use a whole number from 1 to 64",
    },
    {
      name: "an unknown --assignee-principal-type",
      args: assign("-g", RG, "--assignee-principal-type", "Robot"),
      error:
        "invalid --assignee-principal-type 'Robot': use User, Group, ServicePrincipal, ForeignGroup, Device",
    },
    {
      name: "an empty --role",
      args: ["assign-role", "--assignee", P, "--role", " ", "-g", RG],
      error: "--role is empty",
    },
    {
      name: "a role name with a newline",
      args: ["assign-role", "--assignee", P, "--role", "Reader\nOwner", "-g", RG],
      error: "invalid --role: a role name is one line of printable text",
    },
    {
      name: "a role name too long",
      args: ["assign-role", "--assignee", P, "--role", "R".repeat(513), "-g", RG],
      error: "invalid --role: a role name has at most 512 characters",
    },
    {
      name: "a role definition ID that climbs",
      args: [
        "assign-role",
        "--assignee",
        P,
        "--role",
        `/subscriptions/${SUB}/x/../providers/Microsoft.Authorization/roleDefinitions/${READER_ID}`,
        "-g",
        RG,
      ],
      error: `invalid --role ID '/subscriptions/${SUB}/x/../providers/Microsoft.Authorization/roleDefinitions/${READER_ID}': '..' is not a name; expected [scope]/providers/Microsoft.Authorization/roleDefinitions/{guid}`,
    },
    {
      name: "a role ID that is not a role definition",
      args: [
        "assign-role",
        "--assignee",
        P,
        "--role",
        `/providers/Microsoft.Authorization/roleAssignments/${READER_ID}`,
        "-g",
        RG,
      ],
      error: `invalid --role ID '/providers/Microsoft.Authorization/roleAssignments/${READER_ID}': it does not end in a role definition; expected [scope]/providers/Microsoft.Authorization/roleDefinitions/{guid}`,
    },
    {
      name: "a role ID under a scope that is not one",
      args: [
        "unassign-role",
        "--assignee",
        P,
        "--role",
        `/subscriptions/nope/providers/Microsoft.Authorization/roleDefinitions/${READER_ID}`,
        "-g",
        RG,
      ],
      error: `invalid --role scope '/subscriptions/nope': the subscription is not a GUID; ${SCOPE_FORMS}`,
    },
    {
      name: "Owner at subscription scope without --yes and without a terminal",
      args: owner(`/subscriptions/${SUB}`),
      error: `refusing to assign 'Owner' at subscription scope /subscriptions/${SUB} without --yes`,
      hint: "assign a narrower role or scope, or pass --yes (required when not running interactively)",
    },
    {
      name: "Owner by GUID at subscription scope without --yes",
      args: ["assign-role", "--assignee", P, "--role", OWNER_GUID, "--scope", `/subscriptions/${SUB}`],
      error: `refusing to assign '${OWNER_GUID}' at subscription scope /subscriptions/${SUB} without --yes`,
      hint: "assign a narrower role or scope, or pass --yes (required when not running interactively)",
    },
    {
      name: "--assignees-file with a huge line",
      args: ["assign-role", "--role", "Reader", "-g", RG, "--assignees-file", LONG_LINE],
      error: `line 2 of --assignees-file '${LONG_LINE}' is longer than 1000 characters`,
    },
    {
      name: "--assignees-file that is a directory",
      args: ["assign-role", "--role", "Reader", "-g", RG, "--assignees-file", dir],
      error: `cannot read --assignees-file '${dir}': EISDIR`,
    },
    {
      name: "--assignees-file that does not exist",
      args: ["assign-role", "--role", "Reader", "-g", RG, "--assignees-file", join(dir, "missing.txt")],
      error: `cannot read --assignees-file '${join(dir, "missing.txt")}': ENOENT`,
    },
    {
      name: "--assignees-file larger than 1 MiB",
      args: ["assign-role", "--role", "Reader", "-g", RG, "--assignees-file", BIG],
      error: `--assignees-file '${BIG}' is larger than 1 MiB`,
    },
    {
      name: "--assignees-file with no IDs",
      args: ["unassign-role", "--role", "Reader", "-g", RG, "--assignees-file", NO_IDS],
      error: `--assignees-file '${NO_IDS}' has no principal IDs`,
    },
    {
      name: "--assignees-file with a line that is not a GUID",
      args: ["assign-role", "--role", "Reader", "-g", RG, "--assignees-file", BAD_LINE, "--assignee", Q],
      error: `assignee on line 2 of ${BAD_LINE} 'not-a-guid' is not a GUID`,
    },
  ]);
});

describe("roles list", () => {
  table([
    {
      name: "--custom-only and --builtin-only",
      args: ["roles", "list", "--custom-only", "--builtin-only"],
      error: "--custom-only and --builtin-only exclude each other",
    },
    {
      name: "conflicting -g and --scope",
      args: ["roles", "list", "-g", RG, "--scope", RG_ID],
      error: "conflicting -g and --scope: give one scope",
    },
    {
      name: "a name with a newline",
      args: ["roles", "list", "--name", "Reader\nOwner"],
      error: "invalid --name: a role name is one line of printable text",
    },
    { name: "an empty name", args: ["roles", "list", "--name", ""], error: "--name is empty" },
    {
      name: "an invalid group",
      args: ["roles", "list", "-g", "bad/group"],
      error: `invalid resource group name 'bad/group': ${RG_RULE}`,
    },
  ]);
});

describe("verify", () => {
  const blob = (value: string, source: string, why: string, shown = value) =>
    `invalid blob endpoint '${shown}' (${source}): ${why}`;
  const endpointRows = (label: string, value: string, shown: string, why: string): UsageRow[] => [
    {
      name: `--blob-endpoint with ${label}`,
      args: ["verify", "--access", "read", "--debug", "--blob-endpoint", value],
      env: dataPlane,
      error: blob(value, "--blob-endpoint", why, shown),
    },
    {
      name: `AZURE_STORAGE_BLOB_ENDPOINT with ${label}`,
      args: ["verify", "--access", "read", "--debug"],
      env: { ...dataPlane, AZURE_STORAGE_BLOB_ENDPOINT: value },
      error: blob(value, "AZURE_STORAGE_BLOB_ENDPOINT", why, shown),
    },
    {
      name: `AZURE_STORAGEBLOB_RESOURCEENDPOINT with ${label}`,
      args: ["verify", "--access", "read", "--debug"],
      env: {
        ...dataPlane,
        AZURE_STORAGE_BLOB_ENDPOINT: undefined,
        AZURE_STORAGEBLOB_RESOURCEENDPOINT: value,
      },
      error: blob(value, "AZURE_STORAGEBLOB_RESOURCEENDPOINT", why, shown),
    },
  ];
  table([
    {
      name: "--access everything",
      args: ["verify", "--access", "everything"],
      env: dataPlane,
      error: "invalid --access 'everything': use read, write or readwrite",
    },
    {
      name: "an account name from .env in the working directory",
      args: ["verify"],
      env: { AZURE_STORAGE_ACCOUNT_NAME: undefined },
      cwd: APP_DIR,
      error: `invalid storage account name 'Not_Valid': ${ACCOUNT_RULE}`,
    },
    {
      name: "data plane: no account",
      args: ["verify"],
      env: { AZURE_STORAGE_ACCOUNT_NAME: undefined },
      error: "no storage account: use --account NAME or set AZURE_STORAGE_ACCOUNT_NAME",
    },
    {
      name: "data plane: an invalid --container",
      args: ["verify", "--container", "Data"],
      env: dataPlane,
      error: "invalid --container 'Data': use 3-63 lowercase letters, digits and single hyphens",
    },
    {
      name: "data plane: -g without an identity",
      args: ["verify", "--account", "msdocsstorage", "-g", RG],
      error:
        "--storage-id and -g need an identity to check: add --webapp/--functionapp/--vm, --ids or --principal",
    },
    {
      name: "data plane: --storage-id without an identity",
      args: ["verify", "--storage-id", STORE],
      error:
        "--storage-id and -g need an identity to check: add --webapp/--functionapp/--vm, --ids or --principal",
    },
    ...endpointRows(
      "a user name and password",
      BLOB.replace("https://", "https://bob:S3CRET@"),
      "https://…@127.0.0.1:1/msdocsstorage",
      "no user name or password allowed in it",
    ),
    ...endpointRows("a SAS query", `${BLOB}?sv=1&sig=S3CRET`, `${BLOB}?…`, "no query or fragment allowed"),
    ...endpointRows("a '..' segment", `${BLOB}/../other`, `${BLOB}/../other`, "'..' is not a name"),
    {
      name: "--blob-endpoint over plain http",
      args: ["verify", "--blob-endpoint", "http://127.0.0.1:1/msdocsstorage"],
      env: dataPlane,
      error: blob(
        "http://127.0.0.1:1/msdocsstorage",
        "--blob-endpoint",
        "it must be https (the Azure SDK never sends a token over plain http)",
      ),
    },
    {
      name: "a target and --principal: not both",
      args: ["verify", "--webapp", "msdocs-web", "-g", RG, "--principal", P, "--account", "msdocsstorage"],
      error:
        "give either a target (--webapp/--functionapp/--vm/--containerapp/--ids) or --principal, not both",
    },
    {
      name: "two --ids: one identity at a time",
      args: [
        "verify",
        "--ids",
        SITE,
        "--ids",
        `${RG_ID}/providers/Microsoft.Compute/virtualMachines/msdocs-vm`,
        "--storage-id",
        STORE,
      ],
      error: "verify checks one identity at a time: give one --ids",
    },
    {
      name: "control plane with --blob-endpoint",
      args: control("--account", "msdocsstorage", "-g", RG, "--blob-endpoint", BLOB),
      error: "--blob-endpoint is for the data plane (no target): the control plane reads role assignments",
    },
    {
      name: "--storage-id and --account: not both",
      args: control("--storage-id", STORE, "--account", "msdocsstorage"),
      error: "give either --storage-id or --account, not both",
    },
    {
      name: "--storage-id of a site",
      args: control("--storage-id", SITE),
      error: "--storage-id must be a Microsoft.Storage/storageAccounts ID, got Microsoft.Web/sites",
    },
    {
      name: "--storage-id with a query string",
      args: control("--storage-id", `${STORE}?api-version=1`),
      error: `invalid --storage-id '${STORE}?api-version=1': it contains '?'; ${ID_FORM}`,
    },
    {
      name: "--storage-id with an invalid account name",
      args: control("--storage-id", `${RG_ID}/providers/Microsoft.Storage/storageAccounts/AB`),
      error: `invalid storage account name 'AB': ${ACCOUNT_RULE}`,
    },
    {
      name: "--account without a group",
      args: control("--account", "msdocsstorage"),
      error: "--account needs --account-resource-group (or -g) for the control plane; or use --storage-id",
    },
    {
      name: "control plane: no account",
      args: control("-g", RG),
      error: "no storage account: use --account NAME or set AZURE_STORAGE_ACCOUNT_NAME",
    },
    {
      name: "--account-resource-group that climbs",
      args: control("--account", "msdocsstorage", "--account-resource-group", ".."),
      error: `invalid resource group name '..': ${RG_RULE}`,
    },
    {
      name: "--principal that is no GUID, user principal name or name",
      args: ["verify", "--principal", "a@b@c", "--account", "msdocsstorage", "-g", RG],
      error: "--principal 'a@b@c' is not a user principal name (user@domain)",
    },
    {
      name: "a target without its group",
      args: ["verify", "--webapp", "msdocs-web", "--storage-id", STORE],
      error: "--webapp needs -g/--resource-group",
    },
    {
      name: "--junit a directory",
      args: control("--account", "msdocsstorage", "-g", RG, "--junit", dir),
      error: `--junit '${dir}' is a directory: give a file name`,
    },
    {
      name: "--junit under a file",
      args: control("--account", "msdocsstorage", "-g", RG, "--junit", join(PLAIN, "report.xml")),
      error: `--junit: cannot write '${join(PLAIN, "report.xml")}': '${PLAIN}' is not a directory`,
    },
    {
      name: "--junit under a file, two levels down",
      args: control("--account", "msdocsstorage", "-g", RG, "--junit", join(PLAIN, "out", "report.xml")),
      error: `--junit: cannot write '${join(PLAIN, "out", "report.xml")}': '${PLAIN}' is not a directory`,
    },
  ]);
});

describe("emulator", () => {
  table([
    {
      name: "start --port 70000",
      args: ["emulator", "start", "--port", "70000"],
      error: "invalid --port '70000': use 0-65535",
    },
    {
      name: "start --lro-delay soon",
      args: ["emulator", "start", "--lro-delay", "soon"],
      error: "invalid --lro-delay 'soon'",
    },
    {
      name: "start --seed with an invalid world",
      args: ["emulator", "start", "--dir", join(dir, "emu"), "--seed", SEED],
      error: `invalid --seed: ${SEED}: invalid world: tenantId: expected a GUID, got nothing`,
    },
    {
      name: "env without a running emulator",
      args: ["emulator", "env", "--dir", NO_EMULATOR],
      error: `no emulator found in '${NO_EMULATOR}'`,
      hint: "start one first: miauth emulator start",
    },
    {
      name: "env --as that is not an ID",
      args: ["emulator", "env", "--as", "msdocs-web"],
      error: `invalid --ids 'msdocs-web': it must start with /; ${ID_FORM}`,
    },
  ]);
  it("env --as a site the emulator does not have", async () => {
    const other = `${RG_ID}/providers/Microsoft.Web/sites/no-such-site`;
    const known = [
      SITE,
      `${RG_ID}/providers/Microsoft.Web/sites/msdocs-func`,
      `${SITE}/slots/staging`,
      `${RG_ID}/providers/Microsoft.Compute/virtualMachines/msdocs-vm`,
      `${RG_ID}/providers/Microsoft.App/containerApps/msdocs-aca`,
    ];
    await refuse({
      name: "env --as a site the emulator does not have",
      args: ["emulator", "env", "--dir", emu.current.handle.dir, "--as", other],
      error: `no web app, function app, virtual machine or container app '${other}' in the emulator (known: ${known.join(", ")})`,
    });
  });
});

describe("deployment slots: --slot and slot IDs", () => {
  const SLOT_ID = `${SITE}/slots/staging`;
  table([
    {
      name: "--slot with --vm",
      args: ["enable", "--vm", "v1", "-g", RG, "--slot", "staging"],
      error: "--slot is for web apps and function apps, not --vm",
    },
    {
      name: "--slot without a target",
      args: ["disable", "--slot", "staging"],
      error: "--slot needs the app: --webapp NAME or --functionapp NAME (with -g)",
    },
    {
      name: "--slot with --assignee (no site target)",
      args: assign("-g", RG, "--slot", "staging"),
      error: "--slot needs the app: --webapp NAME or --functionapp NAME (with -g)",
    },
    {
      name: "--slot with --principal (verify, no site target)",
      args: control("--account", "msdocsstorage", "-g", RG, "--slot", "staging"),
      error: "--slot needs the app: --webapp NAME or --functionapp NAME (with -g)",
    },
    {
      name: "--slot with --ids",
      args: ["show", "--ids", SITE, "--slot", "staging"],
      error:
        "--slot cannot be combined with --ids: give the slot's ID (…/providers/Microsoft.Web/sites/{app}/slots/{slot})",
    },
    {
      name: "--slot with a name a URL would read as syntax",
      args: ["enable", "--webapp", "a1", "-g", RG, "--slot", "../x"],
      error:
        "invalid --slot name '../x': use 1-59 letters, digits or hyphens, not starting or ending with a hyphen",
    },
    {
      name: "--slot production",
      args: ["show", "--functionapp", "f1", "-g", RG, "--slot", "Production"],
      error: "--slot 'Production' is the app itself: leave out the slot",
    },
    {
      name: "a slot ID with an encoded dot",
      args: ["enable", "--ids", `${SITE}/slots/%2e%2e`],
      error: `invalid --ids '${SITE}/slots/%2e%2e': it contains '%'; ${ID_FORM}`,
    },
    {
      name: "a slot ID with a bad slot name",
      args: ["show", "--ids", `${SITE}/slots/-x`],
      error:
        "invalid slot name '-x': use 1-59 letters, digits or hyphens, not starting or ending with a hyphen",
    },
    {
      name: "slots under a VM",
      args: ["show", "--ids", `${RG_ID}/providers/Microsoft.Compute/virtualMachines/v1/slots/s`],
      error:
        "unsupported resource type 'Microsoft.Compute/virtualMachines/slots' in --ids: expected Microsoft.Web/sites/slots",
    },
    {
      name: "below a slot",
      args: ["show", "--ids", `${SLOT_ID}/config/web`],
      error: `invalid --ids '${SLOT_ID}/config/web': ${ID_FORM}`,
    },
  ]);
});
