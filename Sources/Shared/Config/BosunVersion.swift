/// Bosun's version, shown by `--version` and sent in hellos.
public enum BosunVersion {
    public static let current = "0.1.0"
}
