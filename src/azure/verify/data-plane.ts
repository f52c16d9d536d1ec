// Data-plane verify: act exactly as the guide's app does (DefaultAzureCredential + BlobServiceClient)
// and try each operation it needs. The probe blob is created only if absent and always removed.

import { randomUUID } from "node:crypto";
import type { TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import type { BlobServiceClient, ContainerClient } from "@azure/storage-blob";
import {
  endpointDescription,
  httpStatus,
  isTransientTokenError,
  replyErrorCode,
  tokenFailureReason,
} from "../errors.js";
import { federationRefusal } from "../federated-refusal.js";
import { appServiceHost, containerAppHost, type HostRef, vmHost } from "../hosts.js";
import { NothingAnswers, OffMachineRefused } from "../loopback.js";
import { buildReport, roleFor } from "./diagnosis.js";
import { identifyCredential, type TokenIdentity } from "./token-identity.js";
import type { Access, DataPlaneInput, Step, VerifyReport } from "./types.js";

export interface DataPlaneRun {
  identity: TokenIdentity | null;
  /** The app's host (App Service variables, IMDS instance metadata) when it has no usable identity. */
  host?: HostRef | null;
  container: string | null;
  steps: Step[];
}

export interface ProbeOptions {
  endpoint: string;
  access: Access;
  container?: string;
  /** The user's Ctrl-C and the command's deadline. The SDK's own aborts are failed steps, not this. */
  abortSignal?: AbortSignal;
  /** Called when the probe blob exists, so an interrupted run can still remove it. */
  onProbeCreated?: (remove: () => Promise<void>) => void;
  /** What the probe did besides its steps (a stale probe removed), for stderr. */
  onNotice?: (line: string) => void;
  /** Added to the blob client's pipeline, once per attempt (the --debug trace, the retry notice). */
  policies?: PipelinePolicy[];
  now?: () => number;
}

/** Every step an access level needs: the report passes only when each of them ran and passed. */
export function requiredDataSteps(access: Access): string[] {
  return [
    "credential",
    "list-containers",
    ...(access === "write" ? [] : ["list-blobs"]),
    ...(access === "read" ? [] : ["write-probe"]),
    ...(access === "readwrite" ? ["read-probe"] : []),
    ...(access === "read" ? [] : ["delete-probe"]),
  ];
}

export const PROBE_PREFIX = "miauth-verify-probe-";
/** Exactly the names writeProbe creates: the prefix, a random UUID, ".txt". */
const PROBE_NAME =
  /^miauth-verify-probe-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.txt$/;
/** A probe older than this was left by a run that was killed (a run takes seconds). */
export const STALE_PROBE_MS = 10 * 60_000;

export function isStaleProbe(name: string, lastModified: Date | undefined, now: number): boolean {
  return PROBE_NAME.test(name) && lastModified !== undefined && now - lastModified.getTime() > STALE_PROBE_MS;
}

const STORAGE_SCOPE = "https://storage.azure.com/.default";

/** A credential's failure that may pass (5xx, a reset), as opposed to a refused or missing sign-in. */
function tokenUnavailable(err: unknown): boolean {
  const name = (err as Error | undefined)?.name ?? "";
  return /AuthenticationError|CredentialUnavailableError/.test(name) && isTransientTokenError(err);
}

export function errorCode(err: unknown): string {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const azure = replyErrorCode(err);
  if (azure) return azure;
  if (federationRefusal(err)) return "FederatedTokenRefused";
  if (tokenUnavailable(err)) return "TokenEndpointUnavailable";
  if (e.cause?.code) return e.cause.code;
  const net =
    /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|CERT_\w+|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\b/.exec(
      e.message ?? "",
    );
  if (net?.[1]) return net[1];
  if (e.name === "CredentialUnavailableError" || e.name === "AggregateAuthenticationError") {
    return identityEndpointCode(e.code, endpointDescription(e.message ?? "") ?? e.message ?? "");
  }
  if (e.name === "AbortError") return "Aborted";
  if (e.code === "PARSE_ERROR") return "InvalidReply";
  return e.code ?? e.name ?? "Error";
}

/**
 * What the host's identity endpoint said, as Azure words it: IMDS "Identity not found" (a VM without an
 * identity, or without the one AZURE_CLIENT_ID names); App Service "Unable to load the proper Managed
 * Identity." (only user-assigned identities, none chosen; Azure/azure-sdk-for-net#43691) and "No MSI found
 * for specified ClientId/ResourceId."; IMDS "Multiple user assigned identities exist".
 */
function identityEndpointCode(code: string | undefined, text: string): string {
  if (code === "NoManagedIdentity") return code;
  if (/Unable to load the proper Managed Identity|Multiple user assigned identities exist/i.test(text))
    return "NoDefaultManagedIdentity";
  if (/No MSI found for specified ClientId/i.test(text)) return "ManagedIdentityNotOnHost";
  if (/^Identity not found\.?$/i.test(text.trim()))
    return process.env.AZURE_CLIENT_ID?.trim() ? "ManagedIdentityNotOnHost" : "NoManagedIdentity";
  return "CredentialUnavailable";
}

/** The app's host, named for the fix, when the token failure is about its managed identity. */
async function hostFor(code: string | undefined, signal: AbortSignal | undefined): Promise<HostRef | null> {
  if (!code || !["NoManagedIdentity", "NoDefaultManagedIdentity", "ManagedIdentityNotOnHost"].includes(code))
    return null;
  return appServiceHost(process.env) ?? containerAppHost(process.env) ?? (await vmHost(process.env, signal));
}

function firstLine(err: unknown): string {
  // Not Ctrl-C (that is rethrown): the SDK gave up on a request itself, or the connection broke.
  if ((err as Error)?.name === "AbortError")
    return "the request was aborted before its reply was complete (a broken connection or the SDK's own time limit)";
  if (isTransientTokenError(err))
    return `the managed identity endpoint is unavailable (${tokenFailureReason(err)})`;
  const refused = federationRefusal(err);
  if (refused) return refused.text;
  const text = (err as Error)?.message ?? String(err);
  return (endpointDescription(text) ?? text.split("\n")[0] ?? text).replace(/\s+/g, " ").trim();
}

async function step(
  steps: Step[],
  name: string,
  run: () => Promise<unknown>,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const started = performance.now();
  try {
    const note = await run();
    steps.push({
      name,
      status: "pass",
      ms: Math.round(performance.now() - started),
      code: null,
      message: typeof note === "string" ? note : null,
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
    // Only the user's Ctrl-C or the command's deadline ends the run; any other abort is this step's failure.
    if (signal?.aborted) throw err;
    // So does a rehearsal's refusal, or a stopped emulator (loopback.ts): one line, not a report.
    if (err instanceof OffMachineRefused || err instanceof NothingAnswers) throw err;
    return false;
  }
}

function skip(steps: Step[], name: string, message: string): void {
  steps.push({ name, status: "skip", ms: 0, code: null, message });
}

export interface DataPlaneOptions {
  signal: AbortSignal;
  /** What the probe did besides its steps (a stale probe removed), for stderr. */
  onNotice?: (line: string) => void;
  /** Added to the blob client's pipeline (the --debug trace, the retry notice). */
  policies?: PipelinePolicy[];
}

/** One data-plane attempt as a report: the probe's steps, diagnosed, with the command that grants the role. */
export async function checkDataPlane(
  credential: TokenCredential,
  input: DataPlaneInput,
  o: DataPlaneOptions,
): Promise<VerifyReport> {
  const { access } = input;
  let cleanup: (() => Promise<void>) | undefined;
  const run = await runDataPlane(credential, {
    endpoint: input.endpoint,
    access,
    container: input.container,
    abortSignal: o.signal,
    onProbeCreated: (remove) => {
      cleanup = remove;
    },
    onNotice: o.onNotice,
    policies: o.policies,
  }).finally(async () => {
    // Interrupted mid-probe: the blob may exist; remove it before leaving.
    if (o.signal.aborted && cleanup) await cleanup().catch(() => undefined);
  });
  const who = run.identity;
  // The app cannot see the account's resource group: assign-role finds the account by its name.
  const assignCommand =
    who?.objectId != null
      ? `miauth assign-role --assignee ${who.objectId} --role "${roleFor(access)}" --storage-account ${input.account}`
      : undefined;
  return buildReport(
    {
      mode: "data-plane",
      access,
      account: input.account,
      endpoint: input.endpoint,
      storageId: null,
      container: run.container,
      identity: who,
    },
    run.steps,
    requiredDataSteps(access),
    assignCommand,
    run.host ?? undefined,
  );
}

export async function runDataPlane(credential: TokenCredential, o: ProbeOptions): Promise<DataPlaneRun> {
  const steps: Step[] = [];
  const signal = o.abortSignal;
  let identity: TokenIdentity | null = null;
  // The blob SDK (~520 KB) loads while the token request is in flight; used only once a token came.
  const blobSdk = import("@azure/storage-blob");
  blobSdk.catch(() => {});
  const ok = await step(
    steps,
    "credential",
    async () => {
      identity = await identifyCredential(credential, STORAGE_SCOPE, signal);
    },
    signal,
  );
  const names = [
    "list-containers",
    "list-blobs",
    ...(o.access === "read" ? [] : ["write-probe", "read-probe", "delete-probe"]),
  ];
  if (!ok) {
    for (const n of names) skip(steps, n, "no token");
    const host = await hostFor(steps[0]?.code ?? undefined, signal);
    return { identity, host, container: o.container ?? null, steps };
  }

  const { BlobServiceClient } = await blobSdk;
  const service = new BlobServiceClient(o.endpoint, credential, {
    retryOptions: { maxTries: 3, retryDelayInMs: 500, maxRetryDelayInMs: 4000, tryTimeoutInMs: 30_000 },
    userAgentOptions: { userAgentPrefix: "miauth-verify" },
  });
  addPolicies(service, o.policies ?? []);
  let container = o.container ?? null;
  let special: string[] = [];
  // The containers the listing showed (null: not listed), for a --container that does not exist.
  let seen: { names: string[]; more: boolean } | null = null;
  const listed = await step(
    steps,
    "list-containers",
    async () => {
      const page = await service.listContainers({ abortSignal: signal }).byPage({ maxPageSize: 50 }).next();
      const items = checkListing(page.value, "containerItems", "container list");
      // $web, $root and $logs are special (static website, public root): never probe in them unasked.
      special = items.map((c) => c.name).filter((n) => n.startsWith("$"));
      seen = { names: items.map((c) => c.name), more: Boolean(page.value?.continuationToken) };
      container ??= items.find((c) => !c.name.startsWith("$"))?.name ?? null;
    },
    signal,
  );
  if (!container) {
    if (listed) {
      steps.push({
        name: "container",
        status: "fail",
        ms: 0,
        code: "NoContainer",
        message: special.length
          ? `the account has only ${special.join(", ")}, which the probe never uses: nothing to test in`
          : "the account has no container: nothing to test in",
      });
    }
    const why = listed ? "no container to test in" : "containers could not be listed";
    for (const n of names.slice(1)) skip(steps, n, why);
    return { identity, container, steps };
  }
  const client = service.getContainerClient(container);
  if (o.access === "write") skip(steps, "list-blobs", "not needed for --access write");
  else {
    await step(
      steps,
      "list-blobs",
      async () => {
        const page = await client.listBlobsFlat({ abortSignal: signal }).byPage({ maxPageSize: 5 }).next();
        checkListing(page.value?.segment, "blobItems", "blob list");
      },
      signal,
    );
  }
  if (o.access !== "read") {
    await removeStaleProbes(client, o);
    await writeProbe(steps, client, o);
  }
  for (const s of steps) if (s.code === "ContainerNotFound") s.message = containerMissing(container, seen);
  return { identity, container, steps };
}

/** A --container that does not exist, and the containers there are (the first page of the listing). */
function containerMissing(container: string, seen: { names: string[]; more: boolean } | null): string {
  const there =
    seen === null
      ? "the containers could not be listed"
      : seen.names.length === 0
        ? "the account has no containers"
        : `the containers seen: ${seen.names.join(", ")}${seen.more ? ", …" : ""}`;
  return `container '${container}' does not exist; ${there}`;
}

/** The blob client's policies go into its one core pipeline, shared by every container and blob client. */
function addPolicies(service: BlobServiceClient, policies: PipelinePolicy[]): void {
  const core = (
    service as unknown as {
      storageClientContext?: {
        pipeline?: { addPolicy(p: PipelinePolicy, o: { afterPhase: "Retry" }): void };
      };
    }
  ).storageClientContext?.pipeline;
  for (const p of policies) core?.addPolicy(p, { afterPhase: "Retry" });
}

/** A listing must be Blob Storage's XML with its list: an HTML or empty 200 is no answer at all. */
function checkListing<K extends "containerItems" | "blobItems">(
  value: unknown,
  key: K,
  what: string,
): { name: string }[] {
  const v = value as
    | (Record<string, unknown> & { _response?: { headers?: { get(n: string): string | undefined } } })
    | undefined;
  const type = v?._response?.headers?.get("content-type") ?? "";
  const items = v?.[key];
  if (!Array.isArray(items) || (type !== "" && !/xml/i.test(type))) {
    throw Object.assign(
      new Error(`the ${what} came back as ${type || "an unknown content type"}, not Blob Storage's XML`),
      { code: "InvalidReply" },
    );
  }
  return items as { name: string }[];
}

/**
 * A run killed mid-probe (SIGKILL) leaves its probe blob: the next run removes probes older than a few
 * minutes. Only exact probe names (prefix, UUID) are touched; failures here never fail verify.
 */
async function removeStaleProbes(client: ContainerClient, o: ProbeOptions): Promise<void> {
  const now = (o.now ?? Date.now)();
  let stale: { name: string; lastModified?: Date }[];
  try {
    const page = await client
      .listBlobsFlat({ prefix: PROBE_PREFIX, abortSignal: o.abortSignal })
      .byPage({ maxPageSize: 100 })
      .next();
    const items = (page.value?.segment?.blobItems ?? []) as {
      name: string;
      properties?: { lastModified?: Date };
    }[];
    stale = items
      .map((b) => ({ name: b.name, lastModified: b.properties?.lastModified }))
      .filter((b) => isStaleProbe(b.name, b.lastModified, now));
  } catch (err) {
    if (o.abortSignal?.aborted) throw err;
    return; // May not list blobs (write-only role): the write probe still runs.
  }
  for (const b of stale) {
    try {
      await client.getBlockBlobClient(b.name).deleteIfExists({ abortSignal: o.abortSignal });
      o.onNotice?.(
        `removed ${client.containerName}/${b.name}, a probe blob left by an interrupted verify (last modified ${b.lastModified?.toISOString()})`,
      );
    } catch (err) {
      if (o.abortSignal?.aborted) throw err;
      o.onNotice?.(
        `could not remove ${client.containerName}/${b.name}, a probe blob left by an interrupted verify: ${errorCode(err)}`,
      );
    }
  }
}

async function writeProbe(steps: Step[], client: ContainerClient, o: ProbeOptions): Promise<void> {
  // A fresh UUID name: the probe can never be anyone's data, so removing it is always safe.
  const name = `${PROBE_PREFIX}${randomUUID()}.txt`;
  const body = `miauth verify probe ${new Date().toISOString()}; safe to delete`;
  const blob = client.getBlockBlobClient(name);
  const signal = o.abortSignal;
  let attempted = false;
  let deleted = false;
  const remove = async () => {
    if (!attempted) return;
    // Its own time limit: it also runs after Ctrl-C or the deadline, and must not hang the exit.
    deleted = (await blob.deleteIfExists({ abortSignal: AbortSignal.timeout(10_000) })).succeeded;
    attempted = false;
  };
  try {
    const wrote = await step(
      steps,
      "write-probe",
      async () => {
        attempted = true;
        o.onProbeCreated?.(remove);
        // If-None-Match: * makes this a create-only write: an existing blob is never overwritten.
        try {
          await blob.upload(body, Buffer.byteLength(body), {
            conditions: { ifNoneMatch: "*" },
            abortSignal: signal,
          });
        } catch (err) {
          // The name is a fresh UUID: if it exists, the SDK's retry met our own first attempt, whose
          // reply was lost after the write took effect. That is a write.
          if (errorCode(err) === "BlobAlreadyExists") return "written (the first attempt's reply was lost)";
          // Refused outright: nothing was created. Anything else (a 5xx after the write, an abort)
          // may have left it: it is ours, so remove it.
          if ([401, 403, 412].includes(httpStatus(err) ?? 0)) attempted = false;
          throw err;
        }
      },
      signal,
    );
    if (!wrote) {
      skip(steps, "read-probe", "nothing was written");
      return;
    }
    if (o.access === "write") {
      skip(steps, "read-probe", "not needed for --access write");
      return;
    }
    await step(
      steps,
      "read-probe",
      async () => {
        const text = (await blob.downloadToBuffer(0, undefined, { abortSignal: signal })).toString("utf8");
        if (text !== body) {
          throw Object.assign(new Error("the probe blob read back differs from what was written"), {
            code: "ProbeMismatch",
          });
        }
      },
      signal,
    );
  } finally {
    if (attempted) {
      const written = steps.some((x) => x.name === "write-probe" && x.status === "pass");
      const removed = await step(
        steps,
        "delete-probe",
        async () => {
          await remove();
          // A probe that was written but is gone: nothing was deleted, the delete permission is unproven.
          if (written && !deleted)
            throw Object.assign(new Error("it was gone before miauth deleted it (nothing was deleted)"), {
              code: "ProbeGone",
            });
        },
        undefined,
      );
      const last = steps.at(-1);
      if (!removed && last)
        last.message = `could not remove the probe blob ${client.containerName}/${name}: ${last.message}`;
    } else if (!steps.some((x) => x.name === "delete-probe"))
      skip(steps, "delete-probe", "nothing was written");
  }
}
