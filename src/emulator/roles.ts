// Built-in role definitions (subset), from Azure built-in roles documentation.
export interface RoleDefinition {
  name: string;
  roleName: string;
  description: string;
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export const BUILTIN_ROLES: RoleDefinition[] = [
  {
    name: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    roleName: "Owner",
    description:
      "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
    actions: ["*"],
    notActions: [],
    dataActions: [],
    notDataActions: [],
  },
  {
    name: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    roleName: "Contributor",
    description:
      "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
    actions: ["*"],
    notActions: [
      "Microsoft.Authorization/*/Delete",
      "Microsoft.Authorization/*/Write",
      "Microsoft.Authorization/elevateAccess/Action",
      "Microsoft.Blueprint/blueprintAssignments/write",
      "Microsoft.Blueprint/blueprintAssignments/delete",
      "Microsoft.Compute/galleries/share/action",
      "Microsoft.Purview/consents/write",
      "Microsoft.Purview/consents/delete",
      "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
      "Microsoft.Subscription/cancel/action",
      "Microsoft.Subscription/enable/action",
    ],
    dataActions: [],
    notDataActions: [],
  },
  {
    name: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    roleName: "Reader",
    description: "View all resources, but does not allow you to make any changes.",
    actions: ["*/read"],
    notActions: [],
    dataActions: [],
    notDataActions: [],
  },
  {
    name: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    roleName: "User Access Administrator",
    description: "Lets you manage user access to Azure resources.",
    actions: ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
    notActions: [],
    dataActions: [],
    notDataActions: [],
  },
  {
    name: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    roleName: "Role Based Access Control Administrator",
    description:
      "Manage access to Azure resources by assigning roles using Azure RBAC. This role does not allow you to manage access using other ways, such as Azure Policy.",
    actions: [
      "Microsoft.Authorization/roleAssignments/write",
      "Microsoft.Authorization/roleAssignments/delete",
      "*/read",
      "Microsoft.Support/*",
    ],
    notActions: [],
    dataActions: [],
    notDataActions: [],
  },
  {
    name: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    roleName: "Storage Blob Data Contributor",
    description: "Allows for read, write and delete access to Azure Storage blob containers and data",
    actions: [
      "Microsoft.Storage/storageAccounts/blobServices/containers/delete",
      "Microsoft.Storage/storageAccounts/blobServices/containers/read",
      "Microsoft.Storage/storageAccounts/blobServices/containers/write",
      "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
    ],
    notActions: [],
    dataActions: [
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action",
    ],
    notDataActions: [],
  },
  {
    name: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    roleName: "Storage Blob Data Owner",
    description:
      "Allows for full access to Azure Storage blob containers and data, including assigning POSIX access control.",
    actions: [
      "Microsoft.Storage/storageAccounts/blobServices/containers/*",
      "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
    ],
    notActions: [],
    dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"],
    notDataActions: [],
  },
  {
    name: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    roleName: "Storage Blob Data Reader",
    description: "Allows for read access to Azure Storage blob containers and data",
    actions: [
      "Microsoft.Storage/storageAccounts/blobServices/containers/read",
      "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
    ],
    notActions: [],
    dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
    notDataActions: [],
  },
  {
    name: "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
    roleName: "Storage Queue Data Contributor",
    description: "Allows for read, write, and delete access to Azure Storage queues and queue messages",
    actions: [
      "Microsoft.Storage/storageAccounts/queueServices/queues/delete",
      "Microsoft.Storage/storageAccounts/queueServices/queues/read",
      "Microsoft.Storage/storageAccounts/queueServices/queues/write",
    ],
    notActions: [],
    dataActions: [
      "Microsoft.Storage/storageAccounts/queueServices/queues/messages/delete",
      "Microsoft.Storage/storageAccounts/queueServices/queues/messages/read",
      "Microsoft.Storage/storageAccounts/queueServices/queues/messages/write",
      "Microsoft.Storage/storageAccounts/queueServices/queues/messages/process/action",
    ],
    notDataActions: [],
  },
  {
    name: "4633458b-17de-408a-b874-0445c86b69e6",
    roleName: "Key Vault Secrets User",
    description:
      "Read secret contents. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    actions: [],
    notActions: [],
    dataActions: [
      "Microsoft.KeyVault/vaults/secrets/getSecret/action",
      "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
    ],
    notDataActions: [],
  },
];

export function findRole(nameOrId: string): RoleDefinition | undefined {
  const key = (nameOrId.split("/").pop() ?? "").toLowerCase();
  return BUILTIN_ROLES.find((r) => r.name === key || r.roleName.toLowerCase() === nameOrId.toLowerCase());
}
