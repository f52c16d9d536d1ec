// --assignee (and verify --principal) given as a user principal name, appId:GUID or a service principal's
// display name: looked up in Microsoft Graph (the emulator's /v1.0), and only then; an object ID never
// reaches Graph. Not found is exit 3, two matches a usage error, a 403 says which permission is missing.
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD } from "../../src/emulator/index.js";
import { json, runCli } from "../helpers/cli.js";
import { type LoggedRequest, useEmulator } from "../helpers/emulator.js";

const RG = "msdocs-sdk-auth-example";
const principal = (name: string) => (DEFAULT_WORLD.principals ?? []).find((p) => p.displayName === name);
const ADA = principal("Ada Lovelace") ?? { principalId: "", userPrincipalName: "" };
const CI = principal("msdocs-ci") ?? { principalId: "", appId: "" };
const UPN = ADA.userPrincipalName ?? "";
const TWINS = [
  { principalId: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", appId: "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e" },
  { principalId: "3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f", appId: "4d5e6f7a-8b9c-4d0e-9f2a-3b4c5d6e7f8a" },
];

const world = {
  ...DEFAULT_WORLD,
  principals: [
    ...(DEFAULT_WORLD.principals ?? []),
    ...TWINS.map((t) => ({ ...t, type: "ServicePrincipal" as const, displayName: "msdocs-twin" })),
  ],
};

const assign = (...more: string[]) => ["assign-role", "--role", "Reader", "-g", RG, ...more];

describe("assignees looked up in Microsoft Graph", () => {
  const emu = useEmulator({ blob: false, seed: world });
  const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
    runCli(args, { env: { ...emu.current.env, ...env } });
  const graph = async (): Promise<LoggedRequest[]> =>
    (await emu.current.requests()).filter((r) => r.kind === "graph");
  const puts = async () =>
    (await emu.current.writes()).filter((r) => r.method === "PUT" && /roleAssignments\//i.test(r.path));

  it("a user principal name: one Graph read, assigned as a User at once; the re-run writes nothing", async () => {
    const r = await cli(assign("--assignee", UPN));
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ principalId: ADA.principalId, result: "created", principalType: "User" });
    // Graph gave the type: no UnmatchedPrincipalType round trip.
    expect((await puts()).map((p) => p.status)).toEqual([201]);
    expect((await graph()).map((g) => [g.method, g.path, g.status])).toEqual([
      ["GET", `/v1.0/users/${encodeURIComponent(UPN)}`, 200],
    ]);
    // Two tokens: ARM's and Graph's.
    expect((await emu.current.requests()).filter((q) => q.kind === "identity")).toHaveLength(2);
    await emu.current.clearLog();
    const again = await cli(assign("--assignee", UPN.toUpperCase()));
    expect(again.code, again.stderr).toBe(0);
    expect(json(again)).toMatchObject({ principalId: ADA.principalId, result: "unchanged" });
    expect(await emu.current.writes()).toEqual([]);
  });

  it.each([
    ["appId:GUID", `appId:${CI.appId}`],
    ["a display name (any case)", "MSDOCS-CI"],
  ])("%s: the service principal's object ID", async (_, value) => {
    const r = await cli(assign("--assignee", value, "--verbose"));
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ principalId: CI.principalId, principalType: "ServicePrincipal" });
    expect(r.stderr).toContain(`'${value}' is ServicePrincipal 'msdocs-ci', object ID ${CI.principalId}`);
    const reads = await graph();
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ method: "GET", path: "/v1.0/servicePrincipals", status: 200 });
  });

  it("an object ID never reaches Graph (nor does a target's identity)", async () => {
    const r = await cli(assign("--assignee", ADA.principalId, "--assignee-principal-type", "User"));
    expect(r.code, r.stderr).toBe(0);
    // One token, ARM's: Graph's is asked for only when Graph is needed.
    expect((await emu.current.requests()).filter((q) => q.kind === "identity")).toHaveLength(1);
    const site = await emu.current.enableSystem(emu.current.siteId("msdocs-web"));
    const t = await cli(assign("--webapp", "msdocs-web"));
    expect(t.code, t.stderr).toBe(0);
    expect(json(t)).toMatchObject({ principalId: site });
    expect(await graph()).toEqual([]);
  });

  it("two service principals with the display name: a usage error listing both; nothing written", async () => {
    const r = await cli(assign("--assignee", "msdocs-twin"));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const [error, hint] = r.stderr.trim().split("\n");
    expect(error).toMatch(/^error: service principal named 'msdocs-twin' is ambiguous: 2 match: /);
    for (const t of TWINS) expect(error).toContain(`object ID ${t.principalId}, appId ${t.appId}`);
    expect(hint).toBe("hint: pass the object ID of the one you mean to --assignee");
    expect(await emu.current.writes()).toEqual([]);
  });

  it.each([
    ["a user principal name", "nobody@msdocs.onmicrosoft.com", "user 'nobody@msdocs.onmicrosoft.com'", 404],
    [
      "an application ID",
      "appid:00000000-1111-4222-8333-444444444444",
      "service principal with appId '00000000-1111-4222-8333-444444444444'",
      200,
    ],
    ["a display name", "no-such-app", "service principal named 'no-such-app'", 200],
  ])("%s that Graph does not know: exit 3 naming it; nothing written", async (_, value, what, status) => {
    const r = await cli(assign("--assignee", value));
    expect(r.code).toBe(3);
    expect(r.stderr.split("\n")[0]).toBe(`error: Microsoft Graph has no ${what}`);
    expect((await graph()).map((g) => g.status)).toEqual([status]);
    expect(await emu.current.writes()).toEqual([]);
  });

  it("an app registration without a service principal: the hint is az's own fix", async () => {
    const r = await cli(assign("--assignee", "appId:00000000-1111-4222-8333-444444444444"));
    expect(r.stderr).toContain("hint: an app registration without a service principal");
    expect(r.stderr).toContain("az ad sp create --id 00000000-1111-4222-8333-444444444444");
  });

  it("unassign-role takes the same forms", async () => {
    await emu.current.assignRole(CI.principalId ?? "", "Reader");
    const r = await cli(["unassign-role", "--role", "Reader", "-g", RG, "--assignee", "msdocs-ci"]);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ principalId: CI.principalId, result: "deleted" });
  });

  it("verify --principal by user principal name checks that user's assignments", async () => {
    const r = await cli(["verify", "--principal", UPN, "--account", "msdocsstorage", "-g", RG]);
    const report = json<{ identity: { principalId: string } }>(r);
    expect(report.identity.principalId).toBe(ADA.principalId);
    expect((await graph()).map((g) => g.path)).toEqual([`/v1.0/users/${encodeURIComponent(UPN)}`]);
  });

  it("a Graph reply that is not what it claims is exit 1 naming the request; nothing written", async () => {
    await emu.current.fault({ kind: "graph" }, { type: "raw", body: "<html>sign in</html>" });
    const html = await cli(assign("--assignee", UPN));
    expect(html.code).toBe(1);
    expect(html.stderr.split("\n")[0]).toBe(
      `error: the reply to GET /v1.0/users/${encodeURIComponent(UPN)} is not usable: content type 'text/html', not JSON`,
    );
    // A server that ignored $filter: another service principal is not the one asked for.
    const other = { id: TWINS[0]?.principalId, appId: TWINS[0]?.appId, displayName: "msdocs-twin" };
    await emu.current.fault(
      { kind: "graph" },
      { type: "raw", contentType: "application/json", body: JSON.stringify({ value: [other] }) },
    );
    const wrong = await cli(assign("--assignee", "msdocs-ci"));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.split("\n")[0]).toBe(
      "error: the reply to GET /v1.0/servicePrincipals is not usable: it lists service principals whose displayName is not 'msdocs-ci'",
    );
    await emu.current.fault(
      { kind: "graph" },
      { type: "raw", contentType: "application/json", body: JSON.stringify({ value: [{ id: "nope" }] }) },
    );
    const bad = await cli(assign("--assignee", "msdocs-ci"));
    expect(bad.code).toBe(1);
    expect(bad.stderr.split("\n")[0]).toMatch(
      /^error: the reply to GET \/v1\.0\/servicePrincipals is not usable: value\.0\.id: /,
    );
    expect(await emu.current.writes()).toEqual([]);
  });

  it("bad forms are usage errors before any request", async () => {
    for (const [value, message] of [
      [
        "appId:not-a-guid",
        "error: --assignee 'appId:not-a-guid': the application (client) ID after appId: is not a GUID",
      ],
      ["a@b@c", "error: --assignee 'a@b@c' is not a user principal name (user@domain)"],
      ["   ", "error: --assignee is empty: give a principal (object) ID"],
    ] as const) {
      const r = await cli(assign("--assignee", value));
      expect(r.code, value).toBe(2);
      expect(r.stderr.split("\n")[0]).toContain(message);
    }
    expect(await emu.current.requests()).toEqual([]);
  });

  it("against a loopback ARM endpoint, Graph must be local too: refused before any token or request", async () => {
    const r = await cli(assign("--assignee", UPN), { MIAUTH_GRAPH_ENDPOINT: undefined });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: refusing to contact https://graph.microsoft.com (Microsoft Graph");
    expect(r.stderr).toContain("hint: set MIAUTH_GRAPH_ENDPOINT");
    expect(r.blocked).toEqual([]);
    expect(await graph()).toEqual([]);
    expect(await emu.current.writes()).toEqual([]);
  });
});

describe("Graph refuses a caller without directory read permission", () => {
  const emu = useEmulator({
    blob: false,
    seed: { ...DEFAULT_WORLD, operator: { ...DEFAULT_WORLD.operator, graphPermissions: [] } },
  });
  const cli = (args: string[]) => runCli(args, { env: emu.current.env });

  it.each([
    [UPN, "User.Read.All", `az ad user show --id '${UPN}' --query id -o tsv`],
    [`appId:${CI.appId}`, "Application.Read.All", `az ad sp show --id ${CI.appId} --query id -o tsv`],
    ["msdocs-ci", "Application.Read.All", "az ad sp list --display-name 'msdocs-ci' --query [].id -o tsv"],
  ])("%s: exit 5 naming %s and how to pass the object ID instead", async (value, permission, command) => {
    const r = await cli(assign("--assignee", value));
    expect(r.code).toBe(5);
    const [error, hint] = r.stderr.trim().split("\n");
    expect(error).toMatch(
      /^error: looking up the .* in Microsoft Graph was refused \(Authorization_RequestDenied: Insufficient privileges to complete the operation.\)$/,
    );
    expect(hint).toBe(
      `hint: the credential needs the Microsoft Graph permission ${permission} (or the Directory Readers role); or pass the object ID to --assignee instead: ${command}`,
    );
    expect(await emu.current.writes()).toEqual([]);
    // A 403 is not retried.
    expect((await emu.current.requests()).filter((q) => q.kind === "graph").map((q) => q.status)).toEqual([
      403,
    ]);
  });

  it("an object ID still works: Graph is not asked", async () => {
    const r = await cli(assign("--assignee", ADA.principalId, "--assignee-principal-type", "User"));
    expect(r.code, r.stderr).toBe(0);
    expect((await emu.current.requests()).filter((q) => q.kind === "graph")).toEqual([]);
  });
});
