import CSeccomp

extension RuntimeSpec.Seccomp {
    /// The system-call names of the rules that this host's libseccomp cannot resolve (calls newer than the
    /// library, or a misspelling), sorted and without repeats. Loading the profile skips them, as runc does:
    /// a container's filter then denies those calls with the default action.
    public var syscallNamesUnknownToLibseccomp: [String] {
        let names = Set((syscalls ?? []).flatMap(\.names))
        return names.filter { seccomp_syscall_resolve_name($0) == __NR_SCMP_ERROR }.sorted()
    }
}
