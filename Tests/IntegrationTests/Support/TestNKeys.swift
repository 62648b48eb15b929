import Foundation

/// NATS NKeys and JWTs made for one test with PyPI's `nkeys` (scripts/setup.sh installs it): a user NKey, and an
/// operator, account and user chain with the user's `.creds` file, the way `nsc` would write them.
struct TestNKeys {
    let directory: String

    /// The user's public NKey (`U…`) and the file holding its seed (`SU…`).
    var userPublicKey: String { read("user.pub") }
    var userSeedFile: String { directory + "/user.nk" }
    /// The operator's JWT, the account's public key and JWT, for nats-server's operator mode.
    var operatorJWTFile: String { directory + "/operator.jwt" }
    var accountPublicKey: String { read("account.pub") }
    var accountJWT: String { read("account.jwt") }
    /// The user's `.creds` file: its JWT, issued by the account, and its seed.
    var credentialsFile: String { directory + "/user.creds" }

    static func make(in directory: String) async throws -> TestNKeys {
        let keys = TestNKeys(directory: directory + "/nkeys")
        try FileManager.default.createDirectory(atPath: keys.directory, withIntermediateDirectories: true)
        let result = try await runProgram("/usr/bin/env", ["python3", "-c", script, keys.directory])
        guard result.status == 0 else {
            throw TestFailure(
                "making NKeys with python3 and nkeys failed (scripts/setup.sh installs nkeys): \(result.stderr)")
        }
        return keys
    }

    private func read(_ name: String) -> String {
        ((try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes the keys and JWTs into the directory given as its argument. A NATS JWT is
    /// `base64url(header).base64url(claims).base64url(ed25519 signature by the issuer's NKey)`.
    private static let script = #"""
        import base64, json, os, sys, time
        import nkeys

        out = sys.argv[1]

        def new_key(prefix):
            return nkeys.from_seed(nkeys.encode_seed(os.urandom(32), prefix))

        def b64(data):
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

        def jwt(issuer, subject, name, nats):
            claims = {"jti": base64.b32encode(os.urandom(30)).decode().rstrip("="), "iat": int(time.time()),
                      "iss": issuer.public_key.decode(), "name": name, "sub": subject.public_key.decode(), "nats": nats}
            header = b64(json.dumps({"typ": "JWT", "alg": "ed25519-nkey"}).encode())
            body = b64(json.dumps(claims).encode())
            return header + "." + body + "." + b64(issuer.sign((header + "." + body).encode()))

        def write(name, text):
            with open(os.path.join(out, name), "w") as f:
                f.write(text)
            os.chmod(os.path.join(out, name), 0o600)

        operator = new_key(nkeys.PREFIX_BYTE_OPERATOR)
        account = new_key(nkeys.PREFIX_BYTE_ACCOUNT)
        user = new_key(nkeys.PREFIX_BYTE_USER)
        unlimited = {"subs": -1, "data": -1, "payload": -1}
        write("operator.jwt", jwt(operator, operator, "bosun-test", {"type": "operator", "version": 2}))
        write("account.pub", account.public_key.decode())
        write("account.jwt", jwt(operator, account, "bosun", {
            "limits": dict(unlimited, imports=-1, exports=-1, wildcards=True, conn=-1, leaf=-1),
            "default_permissions": {"pub": {}, "sub": {}}, "type": "account", "version": 2}))
        user_jwt = jwt(account, user, "bosun-node", dict(unlimited, pub={}, sub={}, type="user", version=2))
        write("user.pub", user.public_key.decode())
        write("user.nk", user.seed.decode() + "\n")
        write("user.creds", "-----BEGIN NATS USER JWT-----\n" + user_jwt + "\n------END NATS USER JWT------\n\n"
              "************************* IMPORTANT *************************\n"
              "NKEY Seed printed below can be used to sign and prove identity.\n"
              "NKEYs are sensitive and should be treated as secrets.\n\n"
              "-----BEGIN USER NKEY SEED-----\n" + user.seed.decode() + "\n------END USER NKEY SEED------\n")
        """#
}
