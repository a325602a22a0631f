import LighterDatabase

extension NetworkStore {
    /// Networks and their endpoints (IPAM): one row per container per network; an address is unique
    /// within its network, a published host port unique per protocol.
    public static let schema = DatabaseSchema(module: "networks", migrations: [
        .init("""
        CREATE TABLE networks (
            name TEXT PRIMARY KEY,
            id TEXT UNIQUE NOT NULL,
            driver TEXT NOT NULL,
            bridge TEXT UNIQUE NOT NULL,
            subnet TEXT NOT NULL,
            gateway TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE endpoints (
            network TEXT NOT NULL REFERENCES networks(name),
            container_id TEXT NOT NULL,
            container_name TEXT NOT NULL,
            address INTEGER NOT NULL,
            mac TEXT NOT NULL,
            aliases TEXT NOT NULL DEFAULT '',
            seq INTEGER NOT NULL,
            PRIMARY KEY (network, container_id),
            UNIQUE (network, address)
        );
        CREATE INDEX endpoints_container ON endpoints(container_id);
        CREATE TABLE published_ports (
            protocol TEXT NOT NULL,
            host_ip TEXT NOT NULL,
            host_port INTEGER NOT NULL,
            container_id TEXT NOT NULL,
            container_port INTEGER NOT NULL,
            active INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (protocol, host_port, host_ip)
        );
        CREATE INDEX published_ports_container ON published_ports(container_id);
        """, presentSinceUserVersion: 2),
        // Docker's network labels (`com.docker.compose.*` for compose's project networks): a JSON object.
        .init("ALTER TABLE networks ADD COLUMN labels TEXT NOT NULL DEFAULT '{}';"),
    ])
}
