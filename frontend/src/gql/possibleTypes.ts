
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "AcceptInviteResult": [
      "Refused",
      "Workspace"
    ],
    "AddDocumentsResult": [
      "AddedDocuments",
      "InvalidKnowledge",
      "NotFound"
    ],
    "CancelRunResult": [
      "NotFound",
      "Run",
      "RunNotCancellable"
    ],
    "ChangeMemberRoleResult": [
      "Member",
      "NotFound",
      "Refused"
    ],
    "ChangePasswordResult": [
      "PasswordChanged",
      "Refused"
    ],
    "CreateApiTokenResult": [
      "CreatedApiToken",
      "Refused"
    ],
    "CreateCollectionResult": [
      "Collection",
      "InvalidKnowledge"
    ],
    "CreatePasswordResetResult": [
      "NotFound",
      "PasswordResetLink",
      "Refused"
    ],
    "CreateTriggerResult": [
      "InvalidTrigger",
      "NotFound",
      "TriggerWithSecret"
    ],
    "CreateWorkflowResult": [
      "InvalidWorkflow",
      "Workflow"
    ],
    "CreateWorkspaceResult": [
      "Refused",
      "Workspace"
    ],
    "DeleteBudgetResult": [
      "DeletedBudget",
      "NotFound"
    ],
    "DeleteCollectionResult": [
      "DeletedCollection",
      "NotFound"
    ],
    "DeleteCredentialResult": [
      "DeletedCredential",
      "NotFound"
    ],
    "DeleteDocumentResult": [
      "DeletedDocument",
      "NotFound"
    ],
    "DeleteTriggerResult": [
      "DeletedTrigger",
      "NotFound"
    ],
    "DeleteWorkflowResult": [
      "DeletedWorkflow",
      "NotFound"
    ],
    "DeleteWorkspaceResult": [
      "DeletedWorkspace",
      "Refused"
    ],
    "InviteMemberResult": [
      "IssuedInvite",
      "Refused"
    ],
    "LeaveWorkspaceResult": [
      "Refused",
      "RemovedMember"
    ],
    "ReindexCollectionResult": [
      "Collection",
      "NotFound"
    ],
    "RemoveMemberResult": [
      "NotFound",
      "Refused",
      "RemovedMember"
    ],
    "RenameWorkspaceResult": [
      "Refused",
      "Workspace"
    ],
    "RerunFromNodeResult": [
      "InvalidRunInputs",
      "NotFound",
      "Run"
    ],
    "RetryRunResult": [
      "NotFound",
      "Run",
      "RunNotRetryable"
    ],
    "RevokeApiTokenResult": [
      "ApiToken",
      "NotFound"
    ],
    "RevokeInviteResult": [
      "NotFound",
      "RevokedInvite"
    ],
    "RotateTriggerSecretResult": [
      "InvalidTrigger",
      "NotFound",
      "TriggerWithSecret"
    ],
    "SetBudgetResult": [
      "Budget",
      "InvalidBudget",
      "NotFound"
    ],
    "SetCredentialResult": [
      "Credential",
      "InvalidCredential"
    ],
    "StartRunResult": [
      "InvalidRunInputs",
      "MissingCredentials",
      "NotFound",
      "Run"
    ],
    "SubmitHumanInputResult": [
      "InvalidHumanInput",
      "NoOpenTask",
      "NotFound",
      "Run"
    ],
    "TestNodeResult": [
      "InvalidNodeTestInput",
      "InvalidWorkflow",
      "MissingCredentials",
      "NodeTest",
      "NotFound"
    ],
    "UpdateCollectionResult": [
      "Collection",
      "InvalidKnowledge",
      "NotFound"
    ],
    "UpdateTriggerResult": [
      "InvalidTrigger",
      "NotFound",
      "Trigger"
    ],
    "UpdateWorkflowResult": [
      "InvalidWorkflow",
      "NotFound",
      "VersionConflict",
      "Workflow"
    ]
  }
};
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "AcceptInviteResult": [
      "Refused",
      "Workspace"
    ],
    "AddDocumentsResult": [
      "AddedDocuments",
      "InvalidKnowledge",
      "NotFound"
    ],
    "CancelRunResult": [
      "NotFound",
      "Run",
      "RunNotCancellable"
    ],
    "ChangeMemberRoleResult": [
      "Member",
      "NotFound",
      "Refused"
    ],
    "ChangePasswordResult": [
      "PasswordChanged",
      "Refused"
    ],
    "CreateApiTokenResult": [
      "CreatedApiToken",
      "Refused"
    ],
    "CreateCollectionResult": [
      "Collection",
      "InvalidKnowledge"
    ],
    "CreatePasswordResetResult": [
      "NotFound",
      "PasswordResetLink",
      "Refused"
    ],
    "CreateTriggerResult": [
      "InvalidTrigger",
      "NotFound",
      "TriggerWithSecret"
    ],
    "CreateWorkflowResult": [
      "InvalidWorkflow",
      "Workflow"
    ],
    "CreateWorkspaceResult": [
      "Refused",
      "Workspace"
    ],
    "DeleteBudgetResult": [
      "DeletedBudget",
      "NotFound"
    ],
    "DeleteCollectionResult": [
      "DeletedCollection",
      "NotFound"
    ],
    "DeleteCredentialResult": [
      "DeletedCredential",
      "NotFound"
    ],
    "DeleteDocumentResult": [
      "DeletedDocument",
      "NotFound"
    ],
    "DeleteTriggerResult": [
      "DeletedTrigger",
      "NotFound"
    ],
    "DeleteWorkflowResult": [
      "DeletedWorkflow",
      "NotFound"
    ],
    "DeleteWorkspaceResult": [
      "DeletedWorkspace",
      "Refused"
    ],
    "InviteMemberResult": [
      "IssuedInvite",
      "Refused"
    ],
    "LeaveWorkspaceResult": [
      "Refused",
      "RemovedMember"
    ],
    "ReindexCollectionResult": [
      "Collection",
      "NotFound"
    ],
    "RemoveMemberResult": [
      "NotFound",
      "Refused",
      "RemovedMember"
    ],
    "RenameWorkspaceResult": [
      "Refused",
      "Workspace"
    ],
    "RerunFromNodeResult": [
      "InvalidRunInputs",
      "NotFound",
      "Run"
    ],
    "RetryRunResult": [
      "NotFound",
      "Run",
      "RunNotRetryable"
    ],
    "RevokeApiTokenResult": [
      "ApiToken",
      "NotFound"
    ],
    "RevokeInviteResult": [
      "NotFound",
      "RevokedInvite"
    ],
    "RotateTriggerSecretResult": [
      "InvalidTrigger",
      "NotFound",
      "TriggerWithSecret"
    ],
    "SetBudgetResult": [
      "Budget",
      "InvalidBudget",
      "NotFound"
    ],
    "SetCredentialResult": [
      "Credential",
      "InvalidCredential"
    ],
    "StartRunResult": [
      "InvalidRunInputs",
      "MissingCredentials",
      "NotFound",
      "Run"
    ],
    "SubmitHumanInputResult": [
      "InvalidHumanInput",
      "NoOpenTask",
      "NotFound",
      "Run"
    ],
    "TestNodeResult": [
      "InvalidNodeTestInput",
      "InvalidWorkflow",
      "MissingCredentials",
      "NodeTest",
      "NotFound"
    ],
    "UpdateCollectionResult": [
      "Collection",
      "InvalidKnowledge",
      "NotFound"
    ],
    "UpdateTriggerResult": [
      "InvalidTrigger",
      "NotFound",
      "Trigger"
    ],
    "UpdateWorkflowResult": [
      "InvalidWorkflow",
      "NotFound",
      "VersionConflict",
      "Workflow"
    ]
  }
};
      export default result;
    