// Optimistic concurrency as Compute offers it on virtual machines: a body `etag` that changes on every
// write, and If-Match on PATCH (Azure/azure-rest-api-specs PR #26368, api-version 2023-09-01). The 412's
// wording is CRP's on a scale set (kubernetes-sigs/cloud-provider-azure#9728); for VMs it is a guess.

import { type Ctx, header, type Reply } from "../http.js";
import { armError } from "./replies.js";

/** The first Compute api-version whose VM carries `etag` and whose PATCH takes If-Match. */
export const COMPUTE_ETAG_SINCE = "2023-09-01";

export function computeEtags(apiVersion: string | undefined): boolean {
  return (apiVersion ?? "") >= COMPUTE_ETAG_SINCE;
}

/** As `az vm show` prints it: a quoted counter, `"1"` for a VM never written since creation. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/** ARM's 412 when If-Match names neither `*` nor the current etag; undefined when the write may go on. */
export function preconditionFailed(ctx: Ctx, current: string): Reply | undefined {
  const sent = header(ctx, "if-match");
  if (sent === undefined) return undefined;
  const wanted = sent
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (wanted.includes("*") || wanted.includes(current)) return undefined;
  return armError(
    412,
    "PreconditionFailed",
    `Etag provided in if-match header ${sent.trim()} does not match etag ${current} of resource.`,
  );
}
