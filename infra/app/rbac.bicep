// Every role assignment of the deployment, in one place, each at the narrowest scope that works.
//
//   identity   | role                              | scope
//   -----------+-----------------------------------+------------------------------------------
//   api        | Storage Blob Data Owner           | storage account (host + Flex package)
//   api        | Storage Table Data Contributor    | storage account (sessions/events/mediahosts)
//   api        | Key Vault Secrets User            | secrets media-host-key, turn-shared-secret
//   api        | Monitoring Metrics Publisher      | Application Insights
//   mediahost  | Storage Table Data Contributor    | storage account
//   mediahost  | AcrPull                           | container registry
//   mediahost  | Key Vault Secrets User            | secrets media-host-key, turn-shared-secret
//   mediahost  | Cognitive Services OpenAI User    | AI Services account
//   mediahost  | Monitoring Metrics Publisher      | Application Insights
//   api        | Web PubSub Service Owner          | Web PubSub (mint client tokens, publish)
//   mediahost  | Web PubSub Service Owner          | Web PubSub (publish events to session groups)
//   turn       | Key Vault Secrets User            | secret turn-shared-secret
//   turn       | Key Vault Secrets User            | the TURN TLS certificate's secret (when set)
//   user (opt) | Key Vault Secrets Officer         | key vault (azd reads secrets back; rotation)
//   user (opt) | Cognitive Services OpenAI User    | AI Services account (local runs)
param storageAccountName string
param keyVaultName string
param appInsightsName string
param registryName string
param aiAccountName string
param webPubSubName string
param apiPrincipalId string
param mediaHostPrincipalId string
param turnPrincipalId string
param mediaHostKeySecretName string
param turnSecretName string
@description('Key Vault certificate coturn serves TURN over TLS with; empty = no TLS, no grant.')
param turnTlsCertificateName string = ''

@description('Developer or CI principal running azd; empty grants nothing.')
param userPrincipalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
])
param userPrincipalType string = 'User'

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
  cognitiveServicesOpenAiUser: '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  webPubSubServiceOwner: '12cf5a90-567b-43ae-8102-96cf46c7d9b3'
}

var storageGrants = [
  {
    principalId: apiPrincipalId
    role: roles.storageBlobDataOwner
  }
  {
    principalId: apiPrincipalId
    role: roles.storageTableDataContributor
  }
  {
    principalId: mediaHostPrincipalId
    role: roles.storageTableDataContributor
  }
]

var mediaHostKeyReaders = [
  apiPrincipalId
  mediaHostPrincipalId
]

var turnSecretReaders = [
  apiPrincipalId
  mediaHostPrincipalId
  turnPrincipalId
]

// The API mints browser tokens (and publishes its own events); the media host publishes the rest.
var webPubSubPublishers = [
  apiPrincipalId
  mediaHostPrincipalId
]

var telemetryPublishers = [
  apiPrincipalId
  mediaHostPrincipalId
]

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource mediaHostKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' existing = {
  parent: vault
  name: mediaHostKeySecretName
}

resource turnSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' existing = {
  parent: vault
  name: turnSecretName
}

// A Key Vault certificate's key and chain are read through the secret of the same name.
resource turnTlsSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' existing = if (!empty(turnTlsCertificateName)) {
  parent: vault
  name: turnTlsCertificateName
}

resource webPubSub 'Microsoft.SignalRService/webPubSub@2024-03-01' existing = {
  name: webPubSubName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
}

resource aiAccount 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = {
  name: aiAccountName
}

resource storageAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for grant in storageGrants: {
  name: guid(storage.id, grant.principalId, grant.role)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.role)
    principalId: grant.principalId
    principalType: 'ServicePrincipal'
  }
}]

resource mediaHostKeyAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for reader in mediaHostKeyReaders: {
  name: guid(mediaHostKeySecret.id, reader, roles.keyVaultSecretsUser)
  scope: mediaHostKeySecret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: reader
    principalType: 'ServicePrincipal'
  }
}]

resource turnSecretAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for reader in turnSecretReaders: {
  name: guid(turnSecret.id, reader, roles.keyVaultSecretsUser)
  scope: turnSecret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: reader
    principalType: 'ServicePrincipal'
  }
}]

resource telemetryAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for publisher in telemetryPublishers: {
  name: guid(appInsights.id, publisher, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: publisher
    principalType: 'ServicePrincipal'
  }
}]

resource webPubSubAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for publisher in webPubSubPublishers: {
  name: guid(webPubSub.id, publisher, roles.webPubSubServiceOwner)
  scope: webPubSub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.webPubSubServiceOwner)
    principalId: publisher
    principalType: 'ServicePrincipal'
  }
}]

resource mediaHostAcrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, mediaHostPrincipalId, roles.acrPull)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.acrPull)
    principalId: mediaHostPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource mediaHostOpenAiUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(aiAccount.id, mediaHostPrincipalId, roles.cognitiveServicesOpenAiUser)
  scope: aiAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.cognitiveServicesOpenAiUser)
    principalId: mediaHostPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource userSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  name: guid(vault.id, userPrincipalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}

resource userOpenAiUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  name: guid(aiAccount.id, userPrincipalId, roles.cognitiveServicesOpenAiUser)
  scope: aiAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.cognitiveServicesOpenAiUser)
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}

resource turnTlsAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(turnTlsCertificateName)) {
  name: guid(turnTlsSecret.id, turnPrincipalId, roles.keyVaultSecretsUser)
  scope: turnTlsSecret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: turnPrincipalId
    principalType: 'ServicePrincipal'
  }
}
