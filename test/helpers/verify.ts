// What the verify end-to-end files share: the guide's names, the operator's data role, the report's shape.
import { DEFAULT_WORLD } from "../../src/emulator/index.js";

export const RG = "msdocs-sdk-auth-example";
export const ACCOUNT = "msdocsstorage";
export const CONTAINER = "msdocs-container";
export const OPERATOR_DATA_READER = {
  principalId: DEFAULT_WORLD.operator.principalId,
  roleDefinitionName: "Storage Blob Data Reader",
  scope: `/subscriptions/{subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/${ACCOUNT}`,
};
export interface Report {
  mode: string;
  result: string;
  access: string;
  account: string;
  container: string | null;
  identity: { credential: string | null; objectId: string | null; resourceId: string | null } | null;
  steps: {
    name: string;
    status: string;
    code: string | null;
    message: string | null;
    cause: string | null;
    fix: string | null;
  }[];
  fix: string | null;
  attempts: number;
  elapsedMs: number;
}

export function step(report: Report, name: string) {
  return report.steps.find((s) => s.name === name);
}
