/// One nf_tables expression of a rule, as the kernel's nft_* modules take it (see nf_tables.h).
/// Registers and keys are encoded big-endian; `data` is raw bytes compared with or loaded into a
/// register (packet fields in network order, interface names NUL-padded to IFNAMSIZ).
enum NftExpression: Equatable {
    enum MetaKey: UInt32 { case interfaceIn = 6, interfaceOut = 7, l4Protocol = 16 }   // NFT_META_IIFNAME, OIFNAME, L4PROTO
    enum PayloadBase: UInt32 { case network = 1, transport = 2 }                         // NFT_PAYLOAD_*_HEADER
    enum Comparison: UInt32 { case equal = 0, notEqual = 1 }                              // NFT_CMP_EQ, NEQ
    enum Verdict: Equatable { case drop, jump(String) }

    /// `meta KEY` into `register`.
    case meta(MetaKey, register: UInt32 = Nft.register1)
    /// `length` bytes at `offset` of a header into `register`.
    case payload(PayloadBase, offset: UInt32, length: UInt32, register: UInt32 = Nft.register1)
    /// Compare `register` with `data`; the rule stops here when false.
    case compare(Comparison, data: [UInt8], register: UInt32 = Nft.register1)
    /// `register = (register & mask) ^ xor`, on mask.count bytes.
    case bitwise(mask: [UInt8], xor: [UInt8], register: UInt32 = Nft.register1)
    /// `fib daddr type`: the address type (RTN_*, host-order u32) of the destination.
    case fibDestinationType(register: UInt32 = Nft.register1)
    /// `ct status` (IPS_* bits, host-order u32).
    case conntrackStatus(register: UInt32 = Nft.register1)
    /// Load `data` into `register`.
    case immediate(data: [UInt8], register: UInt32)
    /// Set the verdict.
    case verdict(Verdict)
    /// `dnat to ADDRESS:PORT` from the address and port registers.
    case destinationNAT(addressRegister: UInt32 = Nft.register1, portRegister: UInt32 = Nft.register2)
    /// `masquerade`.
    case masquerade

    /// The kernel module's name (NFTA_EXPR_NAME).
    var name: String {
        switch self {
        case .meta: "meta"
        case .payload: "payload"
        case .compare: "cmp"
        case .bitwise: "bitwise"
        case .fibDestinationType: "fib"
        case .conntrackStatus: "ct"
        case .immediate, .verdict: "immediate"
        case .destinationNAT: "nat"
        case .masquerade: "masq"
        }
    }

    /// The kernel option that provides it when it is not in nf_tables' core.
    var kernelOption: String? {
        switch self {
        case .fibDestinationType: "CONFIG_NFT_FIB_IPV4"
        case .conntrackStatus: "CONFIG_NFT_CT"
        case .destinationNAT: "CONFIG_NFT_NAT"
        case .masquerade: "CONFIG_NFT_MASQ"
        default: nil
        }
    }

    /// Append this expression as one NFTA_LIST_ELEM of NFTA_RULE_EXPRESSIONS.
    func encode(into message: inout NetlinkMessage) {
        message.begin(Nft.listElement)
        message.attribute(Nft.expressionName, string: name)
        switch self {
        case .masquerade:
            break   // no attributes: masquerade to the outgoing interface's address, any port
        default:
            message.begin(Nft.expressionData)
            encodeData(into: &message)
            message.end()
        }
        message.end()
    }

    private func encodeData(into message: inout NetlinkMessage) {
        switch self {
        case let .meta(key, register):
            message.attribute(1, bigEndian: register)        // NFTA_META_DREG
            message.attribute(2, bigEndian: key.rawValue)    // NFTA_META_KEY
        case let .payload(base, offset, length, register):
            message.attribute(1, bigEndian: register)        // NFTA_PAYLOAD_DREG
            message.attribute(2, bigEndian: base.rawValue)   // NFTA_PAYLOAD_BASE
            message.attribute(3, bigEndian: offset)          // NFTA_PAYLOAD_OFFSET
            message.attribute(4, bigEndian: length)          // NFTA_PAYLOAD_LEN
        case let .compare(operation, data, register):
            message.attribute(1, bigEndian: register)        // NFTA_CMP_SREG
            message.attribute(2, bigEndian: operation.rawValue)   // NFTA_CMP_OP
            Self.value(3, data, into: &message)              // NFTA_CMP_DATA
        case let .bitwise(mask, xor, register):
            message.attribute(1, bigEndian: register)        // NFTA_BITWISE_SREG
            message.attribute(2, bigEndian: register)        // NFTA_BITWISE_DREG
            message.attribute(3, bigEndian: UInt32(mask.count))   // NFTA_BITWISE_LEN
            Self.value(4, mask, into: &message)              // NFTA_BITWISE_MASK
            Self.value(5, xor, into: &message)               // NFTA_BITWISE_XOR
        case let .fibDestinationType(register):
            message.attribute(1, bigEndian: register)        // NFTA_FIB_DREG
            message.attribute(2, bigEndian: UInt32(3))       // NFTA_FIB_RESULT: NFT_FIB_RESULT_ADDRTYPE
            message.attribute(3, bigEndian: UInt32(2))       // NFTA_FIB_FLAGS: NFTA_FIB_F_DADDR
        case let .conntrackStatus(register):
            message.attribute(1, bigEndian: register)        // NFTA_CT_DREG
            message.attribute(2, bigEndian: UInt32(2))       // NFTA_CT_KEY: NFT_CT_STATUS
        case let .immediate(data, register):
            message.attribute(1, bigEndian: register)        // NFTA_IMMEDIATE_DREG
            Self.value(2, data, into: &message)              // NFTA_IMMEDIATE_DATA
        case let .verdict(verdict):
            message.attribute(1, bigEndian: Nft.verdictRegister)
            message.begin(2)                                 // NFTA_IMMEDIATE_DATA
            message.begin(Nft.dataVerdict)
            switch verdict {
            case .drop:
                message.attribute(Nft.verdictCode, bigEndian: UInt32(bitPattern: Nft.drop))
            case let .jump(chain):
                message.attribute(Nft.verdictCode, bigEndian: UInt32(bitPattern: Nft.jump))
                message.attribute(Nft.verdictChain, string: chain)
            }
            message.end()
            message.end()
        case let .destinationNAT(addressRegister, portRegister):
            message.attribute(1, bigEndian: UInt32(1))       // NFTA_NAT_TYPE: NFT_NAT_DNAT
            message.attribute(2, bigEndian: UInt32(Nft.ipv4))   // NFTA_NAT_FAMILY
            message.attribute(3, bigEndian: addressRegister) // NFTA_NAT_REG_ADDR_MIN
            message.attribute(5, bigEndian: portRegister)    // NFTA_NAT_REG_PROTO_MIN
            message.attribute(7, bigEndian: UInt32(2))       // NFTA_NAT_FLAGS: NF_NAT_RANGE_PROTO_SPECIFIED
        case .masquerade:
            break
        }
    }

    /// A nested NFTA_DATA_VALUE holding `bytes`.
    private static func value(_ type: UInt16, _ bytes: [UInt8], into message: inout NetlinkMessage) {
        message.begin(type)
        message.attribute(Nft.dataValue, bytes)
        message.end()
    }
}

extension NetlinkMessage {
    /// A 32-bit attribute in network byte order, as nf_tables takes its numbers.
    mutating func attribute(_ type: UInt16, bigEndian value: UInt32) {
        attribute(type, withUnsafeBytes(of: value.bigEndian) { Array($0) })
    }
}
