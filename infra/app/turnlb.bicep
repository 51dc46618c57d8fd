// One TURN address in front of several coturn VMs: a Standard public load balancer.
//
// Why: aiortc (the media host's WebRTC stack) uses only the first TURN server it is given, so a
// list of per-VM URLs would leave the media host on one VM. Behind this frontend the listener
// (3478 UDP/TCP, and TCP 443 for networks that allow only web ports) is spread over the VMs and a
// VM that stops answering its health probe is taken out, so the tier survives one VM's loss.
// Relayed media does not pass the balancer: each VM hands out relay addresses on its own public IP
// (coturn's external-ip), which the NSG opens for the relay range.
param name string
param location string
param tags object = {}
@description('DNS label of the frontend: <label>.<region>.cloudapp.azure.com.')
param dnsLabel string
@description('Whether 443 carries TURN over TLS (to coturn\'s TLS listener, 5349) instead of plain TCP.')
param tlsEnabled bool = false

resource frontendIp 'Microsoft.Network/publicIPAddresses@2024-05-01' = {
  name: 'pip-${name}'
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Regional'
  }
  properties: {
    publicIPAllocationMethod: 'Static'
    publicIPAddressVersion: 'IPv4'
    dnsSettings: {
      domainNameLabel: dnsLabel
    }
  }
}

var frontendName = 'turn-frontend'
var poolName = 'turn-vms'
var probeName = 'turn-listener'

// Listener rules: frontend port → coturn's listener. 443 is the port strict firewalls leave open;
// with a certificate (tlsEnabled) it carries TURN over TLS (`turns:`, coturn's 5349), which also
// passes proxies that inspect 443 for TLS; without one it is plain TURN over TCP (→ 3478).
var listenerRules = [
  {
    name: 'turn-udp-3478'
    protocol: 'Udp'
    frontendPort: 3478
    backendPort: 3478
  }
  {
    name: 'turn-tcp-3478'
    protocol: 'Tcp'
    frontendPort: 3478
    backendPort: 3478
  }
  {
    name: tlsEnabled ? 'turn-tls-443' : 'turn-tcp-443'
    protocol: 'Tcp'
    frontendPort: 443
    backendPort: tlsEnabled ? 5349 : 3478
  }
]

resource loadBalancer 'Microsoft.Network/loadBalancers@2024-05-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Regional'
  }
  properties: {
    frontendIPConfigurations: [
      {
        name: frontendName
        properties: {
          publicIPAddress: {
            id: frontendIp.id
          }
        }
      }
    ]
    backendAddressPools: [
      {
        name: poolName
      }
    ]
    probes: [
      {
        name: probeName
        properties: {
          protocol: 'Tcp'
          port: 3478
          intervalInSeconds: 5
          numberOfProbes: 2
          probeThreshold: 2
        }
      }
    ]
    loadBalancingRules: [
      for rule in listenerRules: {
        name: rule.name
        properties: {
          protocol: rule.protocol
          frontendPort: rule.frontendPort
          backendPort: rule.backendPort
          // A TURN allocation lives on one VM: keep each client on the VM it started with.
          loadDistribution: 'SourceIP'
          idleTimeoutInMinutes: 30
          enableFloatingIP: false
          // The VMs have their own public IPs for outbound (and relayed) traffic.
          disableOutboundSnat: true
          frontendIPConfiguration: {
            id: resourceId('Microsoft.Network/loadBalancers/frontendIPConfigurations', name, frontendName)
          }
          backendAddressPool: {
            id: resourceId('Microsoft.Network/loadBalancers/backendAddressPools', name, poolName)
          }
          probe: {
            id: resourceId('Microsoft.Network/loadBalancers/probes', name, probeName)
          }
        }
      }
    ]
  }
}

output fqdn string = frontendIp.properties.dnsSettings.fqdn
output publicIp string = frontendIp.properties.ipAddress
output backendPoolId string = resourceId('Microsoft.Network/loadBalancers/backendAddressPools', loadBalancer.name, poolName)
