// Data-plane verify: act exactly as the guide's app does (DefaultAzureCredential + BlobServiceClient)
// and try each operation it needs. The probe blob is created only if absent and always removed.
import { randomUUID } from "node:crypto";
import type { TokenCredential } from "@azure/core-auth";
import type { ContainerClient } from "@azure/storage-blob";
import { endpointDescription } from "./errors.js";
import { identifyCredential, type TokenIdentity } from "./token-info.js";

export type Access = "read" | "write" | "readwrite";
export type StepStatus = "pass" | "fail" | "skip" | "warn";

export interface Step {
  name: string;
  status: StepStatus;
  ms: number;
  /** Azure's error code (x-ms-error-code), or a network/credential code. */
  code: string | null;
  message: string | null;
}

export interface DataPlaneRun {
  identity: TokenIdentity | null;
  container: string | null;
  steps: Step[];
}

export interface ProbeOptions {
  endpoint: string;
  access: Access;
  container?: string;
  abortSignal?: AbortSignal;
  /** Called when the probe blob exists, so an interrupted run can still remove it. */
  onProbeCreated?: (remove: () => Promise<void>) => void;
}

const STORAGE_SCOPE = "https://storage.azure.com/.default";

export function errorCode(err: unknown): string {
  const e = err as {
    code?: string;
    details?: { errorCode?: string };
    name?: string;
    message?: string;
    cause?: { code?: string };
  };
  if (e.details?.errorCode) return e.details.errorCode;
  if (e.cause?.code) return e.cause.code;
  const net =
    /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|CERT_\w+|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\b/.exec(
      e.message ?? "",
    );
  if (net?.[1]) return net[1];
  if (e.name === "CredentialUnavailableError" || e.name === "AggregateAuthenticationError") {
    return /No Managed Identity found|no managed identity/i.test(e.message ?? "")
      ? "NoManagedIdentity"
      : "CredentialUnavailable";
  }
  if (e.name === "AbortError") return "Aborted";
  return e.code ?? e.name ?? "Error";
}

function firstLine(err: unknown): string {
  const text = (err as Error)?.message ?? String(err);
  return (endpointDescription(text) ?? text.split("\n")[0] ?? text).replace(/\s+/g, " ").trim();
}

async function step(steps: Step[], name: string, run: () => Promise<void>): Promise<boolean> {
  const started = performance.now();
  try {
    await run();
    steps.push({
      name,
      status: "pass",
      ms: Math.round(performance.now() - started),
      code: null,
      message: null,
    });
    return true;
  } catch (err) {
    steps.push({
      name,
      status: "fail",
      ms: Math.round(performance.now() - started),
      code: errorCode(err),
      message: firstLine(err),
    });
    if ((err as Error).name === "AbortError") throw err;
    return false;
  }
}

function skip(steps: Step[], name: string, message: string): void {
  steps.push({ name, status: "skip", ms: 0, code: null, message });
}

export async function runDataPlane(credential: TokenCredential, o: ProbeOptions): Promise<DataPlaneRun> {
  const steps: Step[] = [];
  let identity: TokenIdentity | null = null;
  const ok = await step(steps, "credential", async () => {
    identity = await identifyCredential(credential, STORAGE_SCOPE, o.abortSignal);
  });
  const names = [
    "list-containers",
    "list-blobs",
    ...(o.access === "read" ? [] : ["write-probe", "read-probe", "delete-probe"]),
  ];
  if (!ok) {
    for (const n of names) skip(steps, n, "no token");
    return { identity, container: o.container ?? null, steps };
  }

  const { BlobServiceClient } = await import("@azure/storage-blob");
  const service = new BlobServiceClient(o.endpoint, credential, {
    retryOptions: { maxTries: 3, retryDelayInMs: 500, maxRetryDelayInMs: 4000, tryTimeoutInMs: 30_000 },
    userAgentOptions: { userAgentPrefix: "miauth-verify" },
  });
  let container = o.container ?? null;
  const listed = await step(steps, "list-containers", async () => {
    const page = await service.listContainers().byPage({ maxPageSize: 50 }).next();
    // $web, $root and $logs are special (static website, public root): never probe in them unasked.
    const first = page.value?.containerItems?.find((c: { name: string }) => !c.name.startsWith("$"))?.name;
    container ??= first ?? null;
  });
  if (!container) {
    skip(
      steps,
      "list-blobs",
      listed ? "the account has no container; pass --container" : "containers could not be listed",
    );
    const why = listed ? "no container to write in; pass --container" : "containers could not be listed";
    for (const n of names.slice(2)) skip(steps, n, why);
    return { identity, container, steps };
  }
  const client = service.getContainerClient(container);
  if (o.access === "write") skip(steps, "list-blobs", "not needed for --access write");
  else {
    await step(steps, "list-blobs", async () => {
      await client.listBlobsFlat().byPage({ maxPageSize: 5 }).next();
    });
  }
  if (o.access !== "read") await writeProbe(steps, client, o);
  return { identity, container, steps };
}

async function writeProbe(steps: Step[], client: ContainerClient, o: ProbeOptions): Promise<void> {
  // A fresh UUID name: the probe can never be anyone's data, so removing it is always safe.
  const name = `miauth-verify-probe-${randomUUID()}.txt`;
  const body = `miauth verify probe ${new Date().toISOString()}; safe to delete`;
  const blob = client.getBlockBlobClient(name);
  let attempted = false;
  const remove = async () => {
    if (!attempted) return;
    await blob.deleteIfExists();
    attempted = false;
  };
  try {
    const wrote = await step(steps, "write-probe", async () => {
      attempted = true;
      o.onProbeCreated?.(remove);
      // If-None-Match: * makes this a create-only write: an existing blob is never overwritten.
      try {
        await blob.upload(body, Buffer.byteLength(body), {
          conditions: { ifNoneMatch: "*" },
          abortSignal: o.abortSignal,
        });
      } catch (err) {
        // Refused outright: nothing was created. Anything else (a retried PUT answering 409, a 5xx after
        // the write, an abort) may have left it: it is ours (a fresh UUID), so remove it.
        if ([401, 403, 412].includes((err as { statusCode?: number }).statusCode ?? 0)) attempted = false;
        throw err;
      }
    });
    if (!wrote) {
      skip(steps, "read-probe", "nothing was written");
      return;
    }
    if (o.access === "write") {
      skip(steps, "read-probe", "not needed for --access write");
      return;
    }
    await step(steps, "read-probe", async () => {
      const text = (await blob.downloadToBuffer(0, undefined, { abortSignal: o.abortSignal })).toString(
        "utf8",
      );
      if (text !== body) {
        throw Object.assign(new Error("the probe blob read back differs from what was written"), {
          code: "ProbeMismatch",
        });
      }
    });
  } finally {
    if (attempted) {
      const removed = await step(steps, "delete-probe", remove);
      const last = steps.at(-1);
      if (!removed && last)
        last.message = `could not remove the probe blob ${client.containerName}/${name}: ${last.message}`;
    } else if (!steps.some((x) => x.name === "delete-probe"))
      skip(steps, "delete-probe", "nothing was written");
  }
}
