// The site write's If-Match branch, which the emulator cannot exercise (its sites carry no ETag, as the
// App Service spec declares none): the published client over a fake HTTP transport.
import { WebSiteManagementClient } from "@azure/arm-appservice";
import type { TokenCredential } from "@azure/core-auth";
import { createHttpHeaders, type HttpClient, type PipelineRequest } from "@azure/core-rest-pipeline";
import { beforeAll, describe, expect, it } from "vitest";
import type { ArmClients } from "../../src/azure/clients.js";
import { loadPipeline } from "../../src/azure/errors.js";
import { applyChange, planChange } from "../../src/azure/identity.js";
import type { Target } from "../../src/azure/target.js";

const SUB = "00000000-0000-0000-0000-000000000001";
const SITE = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Web/sites/app`;
const target: Target = { kind: "functionapp", resourceGroup: "rg", name: "app", fromId: false };
const credential: TokenCredential = {
  getToken: async () => ({ token: "test", expiresOnTimestamp: Date.now() + 3_600_000 }),
};

type Step = { status: number; etag?: string; identity?: Record<string, unknown> | null };

/** Answers each request with the next step; records what was sent. */
function fakeArm(steps: Step[]) {
  const sent: { method: string; ifMatch: string | undefined; body: unknown }[] = [];
  const httpClient: HttpClient = {
    async sendRequest(request: PipelineRequest) {
      sent.push({
        method: request.method,
        ifMatch: request.headers.get("if-match"),
        body: typeof request.body === "string" ? JSON.parse(request.body) : undefined,
      });
      const step = steps.shift();
      if (!step) throw new Error(`unexpected ${request.method}`);
      const body =
        step.status === 412
          ? { error: { code: "PreconditionFailed", message: "The ETag does not match." } }
          : {
              id: SITE,
              type: "Microsoft.Web/sites",
              kind: "functionapp",
              identity: step.identity ?? undefined,
            };
      const headers = createHttpHeaders({ "content-type": "application/json; charset=utf-8" });
      if (step.etag) headers.set("etag", step.etag);
      return { status: step.status, headers, bodyAsText: JSON.stringify(body), request };
    },
  };
  const web = new WebSiteManagementClient(credential, SUB, {
    endpoint: "https://arm.test",
    httpClient,
    retryOptions: { maxRetries: 0 },
  });
  const arm = { web: async () => web } as unknown as ArmClients;
  return { arm, sent };
}

const UAMI = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u`;
const withUser = {
  type: "UserAssigned",
  userAssignedIdentities: { [UAMI]: { principalId: "up", clientId: "uc" } },
};
const system = { type: "SystemAssigned", principalId: "p", tenantId: "t" };
const enable = { system: "enable" as const, addUserAssigned: [], removeUserAssigned: [] };

// The CLI loads the SDK's pipeline with its credential; this test builds its client by hand.
beforeAll(async () => {
  await loadPipeline();
});

describe("site writes with an ETag", () => {
  it("send If-Match, and after a 412 read again, plan again and write with the new ETag", async () => {
    const { arm, sent } = fakeArm([
      { status: 200, etag: '"1"', identity: withUser },
      { status: 412 },
      { status: 200, etag: '"2"', identity: null },
      { status: 200, etag: '"3"', identity: system },
      { status: 200, etag: '"3"', identity: system },
    ]);
    const notes: string[] = [];
    const p = await planChange(arm, target, SUB, enable);
    const r = await applyChange(arm, p, { onNote: (m) => notes.push(m) });
    expect(r).toMatchObject({ result: "updated", type: "SystemAssigned", principalId: "p" });
    expect(sent.map((s) => `${s.method} ${s.ifMatch ?? "-"}`)).toEqual([
      "GET -",
      'PATCH "1"',
      "GET -",
      'PATCH "2"',
      "GET -",
    ]);
    // The first plan kept the user-assigned identity; the second starts from what the site shows now.
    expect(sent[1]?.body).toMatchObject({ identity: { type: "SystemAssigned, UserAssigned" } });
    expect(sent[3]?.body).toEqual({ identity: { type: "SystemAssigned" } });
    expect(notes).toEqual([expect.stringMatching(/412 PreconditionFailed\); reading it again/)]);
  });

  it("send no If-Match when the site gives no ETag", async () => {
    const { arm, sent } = fakeArm([
      { status: 200, identity: null },
      { status: 200, identity: system },
      { status: 200, identity: system },
    ]);
    const r = await applyChange(arm, await planChange(arm, target, SUB, enable));
    expect(r.result).toBe("updated");
    expect(sent.map((s) => s.ifMatch)).toEqual([undefined, undefined, undefined]);
  });
});
