import CSystem
import Glibc

/// Opens the listening sockets: one per event loop, all bound to the same address with SO_REUSEPORT so the
/// kernel spreads connections across loops.
enum ListeningSockets {
    /// Binds `count` non-blocking listening sockets; returns their descriptors and the bound port.
    static func open(host: String, port: Int, count: Int, backlog: Int32) throws(HTTPServerError) -> (
        [Int32], Int
    ) {
        guard (0...65535).contains(port) else { throw .invalidAddress(host: host, port: port) }
        var address = try resolve(host: host, port: port)
        // A probe without SO_REUSEPORT fails if anything (including another server's SO_REUSEPORT group)
        // already holds the port, which the group's own binds would silently share; it also picks the port for 0.
        let probe = try bound(&address, host: host, port: port, reusePort: false)
        let chosenPort = boundPort(probe)
        close(probe)
        setPort(&address, chosenPort)
        var descriptors: [Int32] = []
        do throws(HTTPServerError) {
            for _ in 0..<count {
                let descriptor = try bound(&address, host: host, port: chosenPort, reusePort: true)
                descriptors.append(descriptor)
                guard listen(descriptor, backlog) == 0 else { throw .systemCall(name: "listen", errno: errno) }
            }
        } catch {
            for descriptor in descriptors { close(descriptor) }
            throw error
        }
        return (descriptors, chosenPort)
    }

    private static func resolve(host: String, port: Int) throws(HTTPServerError) -> sockaddr_storage {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let name = host == "localhost" ? "127.0.0.1" : host
        guard getaddrinfo(name, String(port), &hints, &result) == 0, let info = result else {
            throw .invalidAddress(host: host, port: port)
        }
        defer { freeaddrinfo(result) }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { target in
            target.copyMemory(
                from: UnsafeRawBufferPointer(start: info.pointee.ai_addr, count: Int(info.pointee.ai_addrlen)))
        }
        return storage
    }

    private static func bound(_ address: inout sockaddr_storage, host: String, port: Int, reusePort: Bool)
        throws(HTTPServerError) -> Int32
    {
        let family = Int32(address.ss_family)
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | ASSAY_SOCK_NONBLOCK | ASSAY_SOCK_CLOEXEC, 0)
        guard descriptor >= 0 else { throw .systemCall(name: "socket", errno: errno) }
        _ = assay_set_int_sockopt(descriptor, SOL_SOCKET, ASSAY_SO_REUSEADDR, 1)
        if reusePort { _ = assay_set_int_sockopt(descriptor, SOL_SOCKET, ASSAY_SO_REUSEPORT, 1) }
        let length = socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        if result != 0 {
            let code = errno
            close(descriptor)
            switch code {
            case EADDRINUSE: throw .addressInUse(host: host, port: port)
            case EACCES, EPERM: throw .permissionDenied(host: host, port: port)
            case EADDRNOTAVAIL: throw .invalidAddress(host: host, port: port)
            default: throw .systemCall(name: "bind", errno: code)
            }
        }
        return descriptor
    }

    private static func boundPort(_ descriptor: Int32) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return portOf(storage)
    }

    private static func portOf(_ storage: sockaddr_storage) -> Int {
        var copy = storage
        return withUnsafeBytes(of: &copy) { raw in
            // sin_port and sin6_port share offset 2, in network byte order.
            Int(UInt16(raw[2]) << 8 | UInt16(raw[3]))
        }
    }

    private static func setPort(_ storage: inout sockaddr_storage, _ port: Int) {
        withUnsafeMutableBytes(of: &storage) { raw in
            raw[2] = UInt8(truncatingIfNeeded: port >> 8)
            raw[3] = UInt8(truncatingIfNeeded: port)
        }
    }
}
