// Transitional: the floors carved out of Common, re-exported while its users move to them.
@_exported import AssayAuth
@_exported import AssayCore
@_exported import AssayHTTP
@_exported import AssayKube
@_exported import AssayRedis
@_exported import AssayResilience
@_exported import Gateway
@_exported import Providers
