import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_WORLD, loadWorld, startEmulator, type World } from "../../src/emulator/index.js";
import { client, ids, useEmulator, WEB } from "../helpers/emulator.js";

const emu = useEmulator({ blob: false, lroDelayMs: 200 });

describe("faults and the request log", () => {
  it("429 carries SubscriptionRequestsThrottled and Retry-After, for the next N matches only", async () => {
    const fault = {
      match: { method: "GET", path: "SITES/msdocs-web" },
      fault: { type: "status", status: 429 },
      count: 1,
    };
    expect((await emu.api.control("POST", "faults", fault)).status).toBe(201);
    const url = `${ids(emu.handle).site("msdocs-web")}?${WEB}`;
    const r = await emu.api.arm("GET", url);
    expect(r.status).toBe(429);
    expect(r.headers["retry-after"]).toBe("1");
    expect(r.json.error.code).toBe("SubscriptionRequestsThrottled");
    expect((await emu.api.arm("GET", url)).status).toBe(200);
    expect((await emu.api.control("GET", "faults")).json.value).toEqual([]);
  });

  it("503, 500 and 403 use ARM's codes; 403 names the action and scope", async () => {
    await emu.api.control("POST", "faults", {
      match: { method: "PATCH" },
      fault: { type: "status", status: 403 },
      count: 1,
    });
    await emu.api.control("POST", "faults", {
      match: { kind: "arm" },
      fault: { type: "status", status: 503 },
      count: 1,
    });
    const url = `${ids(emu.handle).site("msdocs-web")}?${WEB}`;
    const denied = await emu.api.arm("PATCH", url, { identity: { type: "SystemAssigned" } });
    expect(denied.json.error.code).toBe("AuthorizationFailed");
    expect(denied.json.error.message).toContain(
      `'Microsoft.Web/sites/write' over scope '${ids(emu.handle).site("msdocs-web")}'`,
    );
    expect((await emu.api.arm("GET", url)).json.error.code).toBe("ServiceUnavailable");
    await emu.api.control("POST", "faults", {
      match: { kind: "arm" },
      fault: { type: "status", status: 500 },
    });
    expect((await emu.api.arm("GET", url)).json.error.code).toBe("InternalServerError");
  });

  it("reset destroys the socket; latency delays; identity requests can be faulted too", async () => {
    await emu.api.control("POST", "faults", { match: { path: "msdocs-web" }, fault: { type: "reset" } });
    await expect(emu.api.arm("GET", `${ids(emu.handle).site("msdocs-web")}?${WEB}`)).rejects.toThrow(
      /socket hang up|ECONNRESET/,
    );
    await emu.api.control("POST", "faults", {
      match: { kind: "identity" },
      fault: { type: "latency", ms: 150 },
    });
    const t = Date.now();
    await emu.api.token();
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    await emu.api.control("POST", "faults", {
      match: { kind: "identity" },
      fault: { type: "status", status: 500 },
    });
    await expect(emu.api.token()).rejects.toThrow(/500/);
  });

  it("rejects malformed faults with a clear message", async () => {
    const r = await emu.api.control("POST", "faults", { fault: { type: "explode" } });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/^fault.type: expected/);
  });

  it("logs every ARM and identity request, never control calls, and clears", async () => {
    await emu.api.control("DELETE", "requests");
    const tok = await emu.api.token();
    await emu.api.arm("GET", `${ids(emu.handle).site("msdocs-web")}?${WEB}`, undefined, tok);
    await emu.api.arm("GET", `${ids(emu.handle).site("nope")}?${WEB}`, undefined, tok);
    await emu.api.control("GET", "state");
    const log = (await emu.api.control("GET", "requests")).json.value;
    expect(log.map((e: { kind: string; status: number }) => [e.kind, e.status])).toEqual([
      ["identity", 200],
      ["arm", 200],
      ["arm", 404],
    ]);
    expect(log[1]).toMatchObject({
      seq: 2,
      method: "GET",
      apiVersion: "2025-05-01",
      principalId: expect.any(String),
    });
    await emu.api.control("DELETE", "requests");
    expect((await emu.api.control("GET", "requests")).json.value).toEqual([]);
  });

  it("clock/advance takes {ms} and nothing else", async () => {
    for (const body of [undefined, {}, { ms: -1 }, { ms: "5" }, { ms: 5, extra: true }]) {
      const r = await emu.api.control("POST", "clock/advance", body);
      expect([r.status, r.json.error.message]).toEqual([
        400,
        "body: expected {ms: a number of milliseconds >= 0}",
      ]);
    }
    expect((await emu.api.control("POST", "clock/advance", { ms: 250 })).json).toEqual({ advancedMs: 250 });
  });

  it("POST reset restores the seed", async () => {
    await emu.api.arm("PATCH", `${ids(emu.handle).site("msdocs-web")}?${WEB}`, {
      identity: { type: "SystemAssigned" },
    });
    await emu.api.control("POST", "reset");
    const state = (await emu.api.control("GET", "state")).json;
    expect(state.sites.find((s: { id: string }) => s.id.endsWith("/msdocs-web")).identity).toBeNull();
  });
});

describe("worlds", () => {
  const write = (w: unknown) => {
    const file = join(mkdtempSync(join(tmpdir(), "miauth-world-")), "world.json");
    writeFileSync(file, typeof w === "string" ? w : JSON.stringify(w));
    return file;
  };
  const withChange = (change: (w: World) => void): World => {
    const w = structuredClone(DEFAULT_WORLD);
    change(w);
    return w;
  };

  it("loads the default world from a file", () => {
    expect(loadWorld(write(DEFAULT_WORLD)).sites?.length).toBe(2);
  });

  it.each([
    [{ subscriptions: "nope" }, /tenantId: expected a GUID/],
    [
      withChange((w) => Object.assign(w, { subscriptions: "nope" })),
      /subscriptions: expected an array, got "nope"/,
    ],
    [
      withChange((w) => w.sites?.push({ resourceGroup: "other", name: "x" })),
      /sites\[2\]\.resourceGroup: expected the name of a resourceGroups entry/,
    ],
    [
      withChange((w) =>
        w.roleAssignments.push({ principalId: "p", scope: "/", roleDefinitionName: "Owner" }),
      ),
      /roleAssignments\[1\]\.principalId: expected a GUID/,
    ],
    [
      withChange((w) =>
        w.roleAssignments.push({
          principalId: w.operator.principalId,
          scope: "/",
          roleDefinitionName: "Boss",
        }),
      ),
      /roleDefinition: expected a built-in role/,
    ],
    [
      withChange((w) => Object.assign(w.sites?.[0] ?? {}, { identity: { type: "Both" } })),
      /sites\[0\]\.identity\.type: expected one of/,
    ],
  ])("rejects invalid worlds with a one-line reason (%#)", (world, message) => {
    const file = write(world);
    expect(() => loadWorld(file)).toThrow(message);
    try {
      loadWorld(file);
    } catch (e) {
      expect((e as Error).message).not.toContain("\n");
      expect((e as Error).message).toContain(file);
    }
  });

  it("rejects a file that is not JSON", () => {
    expect(() => loadWorld(write("{nope"))).toThrow(/is not valid JSON/);
  });

  it("a Reader-only operator can read but gets ARM's 403 on writes; subscriptions need an assignment", async () => {
    const reader = withChange((w) => {
      w.roleAssignments = [
        {
          principalId: w.operator.principalId,
          roleDefinitionName: "Reader",
          scope: "/subscriptions/{subscriptionId}",
        },
      ];
    });
    const e = await startEmulator({ blob: false, seed: reader });
    try {
      const a = client(e);
      const site = ids(e).site("msdocs-web");
      expect((await a.arm("GET", `${site}?${WEB}`)).status).toBe(200);
      const w = await a.arm("PATCH", `${site}?${WEB}`, { identity: { type: "SystemAssigned" } });
      expect(w.status).toBe(403);
      const oid = e.operatorEnv && (await a.control("GET", "state")).json.operator.principalId;
      expect(w.json.error).toEqual({
        code: "AuthorizationFailed",
        message: `The client '${oid}' with object id '${oid}' does not have authorization to perform action 'Microsoft.Web/sites/write' over scope '${site}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      });
      // Authorization comes before existence: a missing resource group is still a 403 for a write.
      const ghost = await a.arm("PATCH", `${ids(e).rg}x/providers/Microsoft.Web/sites/x?${WEB}`, {});
      expect(ghost.status).toBe(403);
    } finally {
      await e.close();
    }
    const nobody = await startEmulator({
      blob: false,
      seed: withChange((w) => {
        w.roleAssignments = [];
      }),
    });
    try {
      const a = client(nobody);
      expect((await a.arm("GET", "/subscriptions?api-version=2022-12-01")).json.value).toEqual([]);
      expect((await a.arm("GET", `${ids(nobody).site("msdocs-web")}?${WEB}`)).status).toBe(403);
    } finally {
      await nobody.close();
    }
  });
});
