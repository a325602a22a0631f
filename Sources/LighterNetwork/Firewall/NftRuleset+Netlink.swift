import LighterSystem

extension NftRuleset {
    /// One batch replacing the whole table: add it (so the delete cannot fail when it is absent),
    /// delete it with everything in it, then add it again with its chains and rules.
    func batch() throws(LighterError) -> NftBatch {
        var batch = NftBatch()
        batch.addTable(Self.table)
        batch.deleteTable(Self.table)
        batch.addTable(Self.table)
        let chains = chains
        for chain in chains { batch.addChain(chain, table: Self.table) }
        for chain in chains {
            for rule in chain.rules { try batch.addRule(rule, chain: chain.name, table: Self.table) }
        }
        return batch
    }

    /// One batch removing the table, harmless when it is absent.
    static var deletion: NftBatch {
        var batch = NftBatch()
        batch.addTable(table)
        batch.deleteTable(table)
        return batch
    }
}
