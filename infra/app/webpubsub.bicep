// Azure Web PubSub: the WebSocket leg of the event stream on Azure, where Functions cannot hold
// WebSockets (docs/api.md "WebSocket", docs/deployment.md "Event WebSocket on Azure").
//
// Browsers connect to the hub `intake` with a client access URL the API's negotiate route mints
// (Entra ID, no keys): the token names the session as userId and joins the connection to the
// group `session-<id>`, with no send permissions. Event writers publish each event's JSON to that
// group after it is in the Table Storage log, so the log stays the source of truth and a client
// resumes from `seq` exactly as on the uvicorn WebSocket.
param name string
param location string
param tags object = {}
param logAnalyticsWorkspaceId string

@allowed([
  'Standard_S1'
  'Premium_P1'
])
@description('Standard and Premium carry an SLA (Free has none).')
param skuName string = 'Standard_S1'

@minValue(1)
@maxValue(100)
param capacity int = 1

resource webPubSub 'Microsoft.SignalRService/webPubSub@2024-03-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    capacity: capacity
  }
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    // Entra ID only: the API and the media host use their managed identities (rbac.bicep).
    disableLocalAuth: true
    disableAadAuth: false
    // Browsers connect from the internet; they can only do so with a token the API minted.
    publicNetworkAccess: 'Enabled'
    tls: {
      clientCertEnabled: false
    }
  }
}

resource intakeHub 'Microsoft.SignalRService/webPubSub/hubs@2024-03-01' = {
  parent: webPubSub
  name: 'intake'
  properties: {
    // Only connections with a negotiated token (one session, receive-only) are accepted.
    anonymousConnectPolicy: 'Deny'
    // Clients never send upstream: no event handlers, nothing reaches the API through the hub.
    eventHandlers: []
  }
}

// Connection logs carry connection ids and user ids (session ids), never message bodies.
resource webPubSubDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: webPubSub
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output name string = webPubSub.name
output endpoint string = 'https://${webPubSub.properties.hostName}'
output hubName string = intakeHub.name
