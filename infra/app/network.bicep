// Virtual network shared by the Functions app (VNet integration), the internal Container Apps
// environment, the storage private endpoints and the TURN relay VM.
//
// Subnets (inside addressPrefix, e.g. 10.40.0.0/16):
//   functions   /24  delegated to Microsoft.App/environments (Flex Consumption integration), NAT egress
//   endpoints   /24  private endpoints of the storage account
//   containers  /23  the workload-profile Container Apps environment, NAT egress
//   turn        /24  coturn VM with its own public IP; the only subnet that accepts Internet traffic
param name string
param location string
param tags object = {}
param addressPrefix string
param functionsPrefix string
param endpointsPrefix string
@description('At least /27 for a workload-profile environment; /23 leaves room to grow.')
param containersPrefix string
param turnPrefix string
param turnMinPort int
param turnMaxPort int
@description('Whether coturn listens for TURN over TLS (5349, reached through the balancer on 443).')
param turnTlsEnabled bool = false

var storageServices = [
  'blob'
  'queue'
  'table'
]

// Default rules only: VNet-internal traffic in, nothing from the Internet.
resource privateNsg 'Microsoft.Network/networkSecurityGroups@2024-05-01' = {
  name: 'nsg-private-${name}'
  location: location
  tags: tags
  properties: {
    securityRules: []
  }
}

// TURN needs its listening port and the whole relay range open to every client on the Internet;
// nothing else (no SSH: the VM is managed through Run Command / reimage).
var turnBaseRules = [
  {
    name: 'AllowTurnListenerUdp'
    properties: {
      priority: 100
      direction: 'Inbound'
      access: 'Allow'
      protocol: 'Udp'
      sourceAddressPrefix: 'Internet'
      sourcePortRange: '*'
      destinationAddressPrefix: turnPrefix
      destinationPortRange: '3478'
    }
  }
  {
    name: 'AllowTurnListenerTcp'
    properties: {
      priority: 110
      direction: 'Inbound'
      access: 'Allow'
      protocol: 'Tcp'
      sourceAddressPrefix: 'Internet'
      sourcePortRange: '*'
      destinationAddressPrefix: turnPrefix
      destinationPortRange: '3478'
    }
  }
  {
    name: 'AllowTurnRelayUdp'
    properties: {
      priority: 120
      direction: 'Inbound'
      access: 'Allow'
      protocol: 'Udp'
      sourceAddressPrefix: 'Internet'
      sourcePortRange: '*'
      destinationAddressPrefix: turnPrefix
      destinationPortRange: '${turnMinPort}-${turnMaxPort}'
    }
  }
]

// TURN over TLS: the balancer maps 443 to coturn's TLS listener (only with a certificate).
var turnTlsRule = {
  name: 'AllowTurnTlsTcp'
  properties: {
    priority: 130
    direction: 'Inbound'
    access: 'Allow'
    protocol: 'Tcp'
    sourceAddressPrefix: 'Internet'
    sourcePortRange: '*'
    destinationAddressPrefix: turnPrefix
    destinationPortRange: '5349'
  }
}

resource turnNsg 'Microsoft.Network/networkSecurityGroups@2024-05-01' = {
  name: 'nsg-turn-${name}'
  location: location
  tags: tags
  properties: {
    securityRules: concat(turnBaseRules, turnTlsEnabled ? [
      turnTlsRule
    ] : [])
  }
}

// Explicit outbound for the integrated subnets (default outbound access is off on every subnet).
resource natIp 'Microsoft.Network/publicIPAddresses@2024-05-01' = {
  name: 'pip-nat-${name}'
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Regional'
  }
  properties: {
    publicIPAllocationMethod: 'Static'
    publicIPAddressVersion: 'IPv4'
  }
}

resource natGateway 'Microsoft.Network/natGateways@2024-05-01' = {
  name: 'ng-${name}'
  location: location
  tags: tags
  sku: {
    name: 'Standard'
  }
  properties: {
    idleTimeoutInMinutes: 4
    publicIpAddresses: [
      {
        id: natIp.id
      }
    ]
  }
}

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: 'functions'
        properties: {
          addressPrefix: functionsPrefix
          defaultOutboundAccess: false
          networkSecurityGroup: {
            id: privateNsg.id
          }
          natGateway: {
            id: natGateway.id
          }
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        name: 'endpoints'
        properties: {
          addressPrefix: endpointsPrefix
          defaultOutboundAccess: false
          networkSecurityGroup: {
            id: privateNsg.id
          }
          privateEndpointNetworkPolicies: 'Enabled'
        }
      }
      {
        name: 'containers'
        properties: {
          addressPrefix: containersPrefix
          defaultOutboundAccess: false
          networkSecurityGroup: {
            id: privateNsg.id
          }
          natGateway: {
            id: natGateway.id
          }
          delegations: [
            {
              name: 'container-apps'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        name: 'turn'
        properties: {
          addressPrefix: turnPrefix
          defaultOutboundAccess: false
          networkSecurityGroup: {
            id: turnNsg.id
          }
        }
      }
    ]
  }
}

resource storageDnsZones 'Microsoft.Network/privateDnsZones@2024-06-01' = [for service in storageServices: {
  name: 'privatelink.${service}.${environment().suffixes.storage}'
  location: 'global'
  tags: tags
}]

resource storageDnsLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [for (service, i) in storageServices: {
  parent: storageDnsZones[i]
  name: 'link-${name}'
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: vnet.id
    }
  }
}]

output vnetId string = vnet.id
output functionsSubnetId string = '${vnet.id}/subnets/functions'
output functionsSubnetPrefix string = functionsPrefix
output privateEndpointSubnetId string = '${vnet.id}/subnets/endpoints'
output containerAppsSubnetId string = '${vnet.id}/subnets/containers'
output turnSubnetId string = '${vnet.id}/subnets/turn'
output storageDnsZoneIds object = {
  blob: storageDnsZones[0].id
  queue: storageDnsZones[1].id
  table: storageDnsZones[2].id
}
