#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArchive
import LighterOCI
import LighterSystem
import LighterTestSupport
import Testing

/// Hostile layers: each must fail with a clear error and leave the sibling canary directory untouched.
@Suite struct LayerApplierHostileTests {
    /// Build a tar from `body` (Python; `OUT` is the outside directory's absolute path), apply it,
    /// return the error, and check that nothing outside the extraction root changed.
    func refused(_ body: String) throws -> LighterError? {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        let canary = try Canary(in: temp)
        let root = try temp.directory("root")
        let tar = "\(temp.path)/layer.tar"
        try makeTar(tar, "OUT = '\(canary.outside)'\n" + body)
        var caught: LighterError?
        do { _ = try applyLayer(tar, into: root) } catch { caught = error }
        #expect(canary.untouched)
        // Nothing appeared next to the root or the canary directory either.
        #expect(try FileSystem.list(temp.path) == ["layer.tar", "outside", "root"])
        return caught
    }

    /// The error is `.unsafeArchive` and its reason mentions `because`.
    func isUnsafe(_ error: LighterError?, because: String) -> Bool {
        if case .unsafeArchive(_, let reason) = error { return reason.contains(because) }
        return false
    }

    @Test func dotDotPathIsRefused() throws {
        #expect(isUnsafe(try refused(#"f("../outside/canary", b"pwned")"#), because: "climbs above the layer root"))
        #expect(isUnsafe(try refused(#"f("../escape", b"pwned")"#), because: "climbs above the layer root"))
    }

    @Test func absolutePathClimbingOutIsRefused() throws {
        #expect(isUnsafe(try refused(#"f("/../outside/canary", b"pwned")"#), because: "climbs above the layer root"))
        #expect(isUnsafe(try refused(#"f("a/../../outside/canary", b"pwned")"#), because: "climbs above the layer root"))
    }

    @Test func absolutePathIsKeptInsideTheRoot() throws {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        let root = try temp.directory("root")
        try makeTar("\(temp.path)/l.tar", #"f("/etc/x", b"inside")"#)
        _ = try applyLayer("\(temp.path)/l.tar", into: root)
        #expect(try FileSystem.readString("\(root)/etc/x") == "inside")
    }

    @Test func symlinkClimbingAboveTheRootIsRefused() throws {
        #expect(isUnsafe(try refused(#"sl("link", "../outside/canary")"#), because: "symlink target"))
        #expect(isUnsafe(try refused(#"d("a"); sl("a/link", "../../outside")"#), because: "symlink target"))
        #expect(isUnsafe(try refused(#"sl("evil", "..")"#), because: "symlink target"))
    }

    @Test func entryThroughAbsoluteSymlinkIsRefused() throws {
        let error = try refused("""
        sl("evil", OUT)
        f("evil/canary", b"pwned")
        """)
        #expect(isUnsafe(error, because: "is a symlink; extraction never follows one"))
        #expect(isUnsafe(try refused("sl('evil', OUT)\nf('evil/passwd', b'pwned')"), because: "is a symlink; extraction never follows one"))
        #expect(isUnsafe(try refused("sl('evil', OUT)\nd('evil/sub')"), because: "is a symlink; extraction never follows one"))
    }

    @Test func directoryReplacedBySymlinkIsNotWalkedThrough() throws {
        // d was the parent of the previous entry; replacing it must not leave a stale way in.
        #expect(isUnsafe(try refused("d('d')\nf('d/f', b'1')\nsl('d', OUT)\nf('d/canary', b'pwned')"),
                         because: "is a symlink; extraction never follows one"))
        #expect(isUnsafe(try refused("f('d/f', b'1')\nsl('d', OUT)\nhl('d/canary', 'd/f')"),
                         because: "is a symlink; extraction never follows one"))
    }

    @Test func entryThroughRelativeSymlinkIsRefused() throws {
        // d/up -> .. stays inside the root (allowed), but extraction never walks through it.
        #expect(isUnsafe(try refused("d('d')\nsl('d/up', '..')\nf('d/up/x', b'no')"), because: "is a symlink; extraction never follows one"))
        #expect(isUnsafe(try refused("sl('evil', OUT)\nf('evil/.wh.canary')"), because: "is a symlink; extraction never follows one"))
        #expect(isUnsafe(try refused("sl('evil', OUT)\nf('evil/.wh..wh..opq')"), because: "is a symlink; extraction never follows one"))
    }

    @Test func fileReplacingASymlinkDoesNotWriteThroughIt() throws {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        let canary = try Canary(in: temp)
        let root = try temp.directory("root")
        try makeTar("\(temp.path)/l.tar", "sl('s', '\(canary.file)')\nf('s', b'replaced')")
        _ = try applyLayer("\(temp.path)/l.tar", into: root)
        #expect(canary.untouched)
        #expect(fileType(lstatPath("\(root)/s")!) == S_IFREG)
        #expect(try FileSystem.readString("\(root)/s") == "replaced")
    }

    @Test func hostileHardlinksAreRefused() throws {
        #expect(isUnsafe(try refused(#"hl("x", "../outside/canary")"#), because: "hardlink target \"../outside/canary\" climbs"))
        // An absolute target names a member of this layer (like Docker): /OUT/canary is not in it.
        #expect(isUnsafe(try refused("hl('x', OUT + '/canary')"), because: "does not exist in the layer"))
        #expect(isUnsafe(try refused(#"hl("x", "/etc/passwd")"#), because: "does not exist in the layer"))
        #expect(isUnsafe(try refused(#"hl("x", "missing")"#), because: "does not exist in the layer"))
        #expect(isUnsafe(try refused("sl('evil', OUT)\nhl('x', 'evil/canary')"), because: "is a symlink; extraction never follows one"))
        #expect(isUnsafe(try refused("d('dir')\nhl('x', 'dir')"), because: "is a directory"))
    }

    @Test func hostileWhiteoutsAreRefused() throws {
        #expect(isUnsafe(try refused(#"f("../.wh.outside")"#), because: "climbs above the layer root"))
        #expect(isUnsafe(try refused(#"f("../outside/.wh.canary")"#), because: "climbs above the layer root"))
        #expect(isUnsafe(try refused(#"f(".wh..")"#), because: "names no file"))
        #expect(isUnsafe(try refused(#"f(".wh...")"#), because: "names no file"))
        #expect(isUnsafe(try refused(#"d("a"); f("a/.wh..")"#), because: "names no file"))
    }

    @Test func absurdNestingIsRefused() throws {
        #expect(isUnsafe(try refused(#"f("a/" * 600 + "x", b"deep")"#), because: "nests deeper than 512 directories"))
    }

    @Test func overlayXattrsFromTheLayerAreRefused() throws {
        let error = try refused(#"f("x", b"1", pax_headers={"SCHILY.xattr.trusted.overlay.redirect": "/etc"})"#)
        #expect(isUnsafe(error, because: "reserved for the overlay filesystem"))
    }
}
