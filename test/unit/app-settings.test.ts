// setAppSetting's merge rule against a fake ARM: change one key, keep every other byte for byte, write
// nothing when it is already set, merge again when another writer replaced the dictionary, let the
// read-back decide after a lost reply, and refuse replies that are not the site's settings.
import type { StringDictionary } from "@azure/arm-appservice";
import { RestError } from "@azure/core-rest-pipeline";
import { beforeAll, describe, expect, it } from "vitest";
import { setAppSetting } from "../../src/azure/app-settings.js";
import type { AppSettingsOps } from "../../src/azure/app-settings-client.js";
import { loadPipeline } from "../../src/azure/errors.js";
import { UnexpectedReplyError } from "../../src/errors.js";

const ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/web1";
const target = { resourceGroup: "rg", name: "web1", id: ID, what: "web app 'web1' in resource group 'rg'" };

interface Fake extends AppSettingsOps {
  stored: Record<string, string>;
  puts: Record<string, string>[];
  /** Runs after the n-th list (1-based), e.g. another writer's PUT. */
  afterList: Map<number, () => void>;
  lists: number;
}

function fake(initial: Record<string, string>, body?: (stored: Record<string, string>) => unknown): Fake {
  const f: Fake = {
    stored: { ...initial },
    puts: [],
    afterList: new Map(),
    lists: 0,
    async list(_at, opts) {
      f.lists++;
      const reply = body?.(f.stored) ?? {
        id: `${ID}/config/appsettings`,
        name: "appsettings",
        properties: { ...f.stored },
      };
      opts?.onResponse?.({
        status: 200,
        headers: {
          get: (n: string) =>
            n.toLowerCase() === "content-type" ? "application/json; charset=utf-8" : undefined,
        },
        bodyAsText: JSON.stringify(reply),
        request: { method: "POST", url: `https://arm.example${ID}/config/appsettings/list` },
      } as never);
      f.afterList.get(f.lists)?.();
      return reply as StringDictionary;
    },
    async update(_at, settings) {
      f.puts.push({ ...(settings.properties ?? {}) });
      f.stored = { ...(settings.properties ?? {}) };
      return settings;
    },
  };
  return f;
}

const TEN = Object.fromEntries(
  Array.from({ length: 10 }, (_, i) => [`KEY_${i}`, `v${i} =;"\u00e9 ${"x".repeat(i)}`]),
);
const run = (f: AppSettingsOps, warnings: string[] = []) =>
  setAppSetting(f, target, "AZURE_STORAGE_ACCOUNT_NAME", "msdocsstorage", {
    warn: (l) => warnings.push(l),
    confirmAfterMs: 1,
  });

// As the ARM clients do before any request: the error reader knows the SDK's RestError.
beforeAll(() => loadPipeline());

describe("setAppSetting", () => {
  it("adds the key and keeps ten others byte for byte, in one write", async () => {
    const f = fake(TEN);
    expect(await run(f)).toEqual({
      name: "AZURE_STORAGE_ACCOUNT_NAME",
      value: "msdocsstorage",
      before: null,
      result: "created",
      writes: 1,
    });
    expect(f.puts).toEqual([{ ...TEN, AZURE_STORAGE_ACCOUNT_NAME: "msdocsstorage" }]);
  });

  it("is unchanged, with no write, when the key already holds the value; updated when it held another", async () => {
    const same = fake({ ...TEN, AZURE_STORAGE_ACCOUNT_NAME: "msdocsstorage" });
    expect(await run(same)).toMatchObject({ result: "unchanged", writes: 0 });
    expect(same.puts).toEqual([]);
    const other = fake({ AZURE_STORAGE_ACCOUNT_NAME: "old" });
    expect(await run(other)).toMatchObject({ result: "updated", before: "old", writes: 1 });
  });

  it("another writer replacing the dictionary from an older read: merged again, both keys end up set", async () => {
    const f = fake(TEN);
    const warnings: string[] = [];
    // After our read-back (the 2nd list), another writer PUTs what it read before our write, plus its key.
    f.afterList.set(2, () => {
      f.stored = { ...TEN, THEIRS: "t" };
    });
    expect(await run(f, warnings)).toMatchObject({ result: "created", writes: 2 });
    expect(f.stored).toEqual({ ...TEN, THEIRS: "t", AZURE_STORAGE_ACCOUNT_NAME: "msdocsstorage" });
    expect(warnings).toEqual([
      "the app settings of the web app 'web1' in resource group 'rg' were replaced by another writer after miauth wrote AZURE_STORAGE_ACCOUNT_NAME; merging again (write 2 of 3)",
    ]);
  });

  it("a lost reply to the PUT: the read-back shows it applied, and it is not written twice", async () => {
    const f = fake(TEN);
    const update = f.update;
    f.update = async (at, settings, o) => {
      await update(at, settings, o);
      throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    };
    expect(await run(f)).toMatchObject({ result: "created", writes: 1 });
    expect(f.puts).toHaveLength(1);
  });

  it("ARM refusing the PUT is an error at once, not a retry", async () => {
    const f = fake(TEN);
    f.update = async () => {
      throw new RestError("denied", { statusCode: 403, code: "AuthorizationFailed" });
    };
    await expect(run(f)).rejects.toThrow();
    expect(f.lists).toBe(1);
  });

  it("gives up after three writes that keep being replaced, and says so", async () => {
    const f = fake(TEN);
    for (const n of [2, 4, 6])
      f.afterList.set(n, () => {
        f.stored = { ...TEN };
      });
    await expect(run(f)).rejects.toThrow(
      "the app settings of the web app 'web1' in resource group 'rg' kept changing under 3 writes: AZURE_STORAGE_ACCOUNT_NAME is not set as written",
    );
    expect(f.puts).toHaveLength(3);
  });

  it("a reply that is not this site's settings, or holds a value that is not a string: nothing is written", async () => {
    for (const body of [
      () => ({ id: `${ID}-other/config/appsettings`, properties: {} }),
      () => ({ id: `${ID}/config/appsettings`, properties: { A: 1 } }),
      () => ({ id: `${ID}/config/appsettings`, properties: [] }),
    ]) {
      const f = fake(TEN, body);
      await expect(run(f)).rejects.toBeInstanceOf(UnexpectedReplyError);
      expect(f.puts).toEqual([]);
    }
  });
});
