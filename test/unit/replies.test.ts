import { describe, expect, it } from "vitest";
import { checkResource, type RawReply, requestName } from "../../src/azure/replies.js";
import { UnexpectedReplyError } from "../../src/errors.js";

const SITE =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Web/sites/app";
const UAMI =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/one";
const expected = { id: SITE, type: "Microsoft.Web/sites" };

function reply(body: string, headers: Record<string, string> = {}, status = 200): RawReply {
  const h = new Map(
    Object.entries({ "content-type": "application/json; charset=utf-8", ...headers }).map(([k, v]) => [
      k.toLowerCase(),
      v,
    ]),
  );
  return {
    status,
    headers: { get: (name) => h.get(name.toLowerCase()) },
    bodyAsText: body,
    request: { method: "GET", url: `https://127.0.0.1:1${SITE}?api-version=2025-05-01&sig=secret` },
  };
}

const site = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id: SITE, type: "Microsoft.Web/sites", kind: "functionapp", ...extra });

describe("checkResource", () => {
  it("accepts the site, with its kind, ETag and identity", () => {
    const identity = {
      type: "SystemAssigned, UserAssigned",
      principalId: "p",
      tenantId: "t",
      userAssignedIdentities: { [UAMI]: { principalId: "up", clientId: "uc" } },
    };
    const r = checkResource(reply(site({ identity }), { ETag: '"1"' }), expected);
    expect(r).toEqual({ id: SITE, type: "Microsoft.Web/sites", kind: "functionapp", etag: '"1"', identity });
  });

  it("takes the ETag and provisioning state from the body when the headers carry none", () => {
    const vmId = SITE.replace("Microsoft.Web/sites/app", "Microsoft.Compute/virtualMachines/vm");
    const body = JSON.stringify({
      id: vmId.toUpperCase(),
      type: "Microsoft.Compute/virtualMachines",
      etag: '"7"',
      properties: { provisioningState: "Updating" },
    });
    const r = checkResource(reply(body), { id: vmId, type: "Microsoft.Compute/virtualMachines" });
    expect(r.etag).toBe('"7"');
    expect(r.provisioningState).toBe("Updating");
    expect(r.identity).toBeUndefined();
  });

  it.each<[string, RawReply, RegExp]>([
    [
      "an HTML page",
      reply("<html>hi</html>", { "content-type": "text/html" }),
      /content type 'text\/html', not JSON/,
    ],
    ["no content type", reply(site(), { "content-type": "" }), /no content type/],
    ["an empty body", reply(""), /an empty body/],
    ["invalid JSON", reply('{"id":'), /not valid JSON/],
    ["a JSON array", reply("[]"), /not a JSON object/],
    ["no id", reply(JSON.stringify({ type: "Microsoft.Web/sites" })), /no resource 'id'/],
    ["another resource", reply(site({ id: `${SITE}x` })), /describes another resource/],
    [
      "another type",
      reply(site({ type: "Microsoft.Web/sites/slots" })),
      /type is 'Microsoft.Web\/sites\/slots'/,
    ],
    [
      "an identity that is not an object",
      reply(site({ identity: "SystemAssigned" })),
      /'identity' is not an object/,
    ],
    ["an identity without a type", reply(site({ identity: {} })), /'identity' has no 'type'/],
    [
      "an unknown identity type",
      reply(site({ identity: { type: "Everything" } })),
      /not a known identity type/,
    ],
    [
      "UserAssigned without its map",
      reply(site({ identity: { type: "UserAssigned" } })),
      /userAssignedIdentities' is missing/,
    ],
    [
      "a map that is a list",
      reply(site({ identity: { type: "UserAssigned", userAssignedIdentities: [UAMI] } })),
      /not an object/,
    ],
  ])("rejects %s, naming the request without its query", (_, r, message) => {
    let thrown: unknown;
    try {
      checkResource(r, expected);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UnexpectedReplyError);
    const text = (thrown as Error).message;
    expect(text).toMatch(message);
    expect(text).toContain(`GET ${SITE}`);
    expect(text).not.toMatch(/secret|api-version/);
  });

  it("prints no control characters from the reply", () => {
    expect(() => checkResource(reply(site({ type: "x\u001b[31mred" })), expected)).toThrow(
      /type is 'x\?\[31mred'/,
    );
  });
});

describe("requestName", () => {
  it("is the method and the path only", () => {
    expect(requestName({ method: "PATCH", url: "https://h/a/b?x=1" })).toBe("PATCH /a/b");
  });
});
