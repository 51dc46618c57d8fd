"""WebRTC adapters of a call: the peer connection and signalling (:mod:`.connection`), inbound
and outbound audio (:mod:`.inbound`, :mod:`.outbound`) and the data channel
(:mod:`.datachannel`)."""
