extension StringProtocol {
    /// The string without leading and trailing spaces, tabs and newlines (FoundationEssentials has no
    /// `trimmingCharacters`).
    public var trimmed: String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
