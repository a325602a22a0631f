import LighterDatabase

extension NetworkStore {
    /// Networks and their endpoints (IPAM): one row per container per network; an address is unique
    /// within its network; a published host port is held by one running container at a time.
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
        // A host port is held per container (as Docker does, only running containers clash): compose
        // recreates a service by creating the new container while the stopped old one still exists.
        .init("""
        CREATE TABLE published_ports_by_container (
            protocol TEXT NOT NULL,
            host_ip TEXT NOT NULL,
            host_port INTEGER NOT NULL,
            container_id TEXT NOT NULL,
            container_port INTEGER NOT NULL,
            active INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (protocol, host_port, host_ip, container_id)
        );
        INSERT INTO published_ports_by_container SELECT protocol, host_ip, host_port, container_id, container_port, active FROM published_ports;
        DROP TABLE published_ports;
        ALTER TABLE published_ports_by_container RENAME TO published_ports;
        CREATE INDEX published_ports_container ON published_ports(container_id);
        """),
        // `network create --internal`: 1 for a network cut off from everything outside it.
        .init("ALTER TABLE networks ADD COLUMN internal INTEGER NOT NULL DEFAULT 0;"),
    ])
}
