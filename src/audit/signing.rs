//! SSH signatures: OpenSSH's SSHSIG format with namespace `deploycheck`, so that plain
//! `ssh-keygen -Y verify` checks them too. A sign-off addendum is signed by a detached
//! signature over its exact bytes (`<addendum>.sig`, [`sign_detached`] and
//! [`check_detached`]); records written by an older `deploycheck sign` may carry
//! signatures over their digest inside them, which [`check_signature`] still checks. The
//! `allowed_signers` file is OpenSSH's format.

use ssh_key::private::{KeypairData, RsaKeypair};
use ssh_key::{Algorithm, HashAlg, LineEnding, Mpint, PrivateKey, PublicKey, SshSig};

/// Why a signature could not be read or made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SignatureError(pub String);

impl From<String> for SignatureError {
    fn from(message: String) -> Self {
        SignatureError(message)
    }
}

impl From<&str> for SignatureError {
    fn from(message: &str) -> Self {
        SignatureError(message.to_string())
    }
}

use crate::model::RecordSignature;
use crate::source::Diagnostic;

pub const NAMESPACE: &str = "deploycheck";

/// What a key file that is not an OpenSSH private key looks like, and what `sign` needs,
/// in one line.
pub fn not_a_private_key(text: &str, detail: &str) -> String {
    let text = text.trim_start();
    if starts_with_key_type(text) {
        return "this is a public key (one line starting with its type); sign needs the private key, usually the same path without .pub".to_string();
    }
    if text.starts_with("-----BEGIN SSH SIGNATURE-----") {
        return "this is an SSH signature, not a key; sign needs an OpenSSH private key"
            .to_string();
    }
    if let Some(kind) = text
        .strip_prefix("-----BEGIN ")
        .and_then(|rest| rest.split_once("-----"))
        .map(|(kind, _)| kind)
        .filter(|kind| *kind != "OPENSSH PRIVATE KEY")
    {
        return format!(
            "this is a PEM `{kind}`, not an OpenSSH private key; convert a private key with `ssh-keygen -p -f FILE` (it rewrites it in OpenSSH format)"
        );
    }
    format!(
        "not an OpenSSH private key (expected a file starting with -----BEGIN OPENSSH PRIVATE KEY-----): {detail}"
    )
}

/// One line of an OpenSSH `allowed_signers` file.
#[derive(Debug, Clone)]
pub struct AllowedSigner {
    pub principals: String,
    pub namespaces: Option<Vec<String>>,
    pub key: PublicKey,
}

/// Parses an `allowed_signers` file: `principals [options] keytype base64 [comment]`,
/// comments and blank lines ignored. Certificate authorities are not supported and say so.
pub fn parse_allowed_signers(text: &str, file: &str) -> Result<Vec<AllowedSigner>, Diagnostic> {
    let mut signers = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line_number = index + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fail = |message: String| Diagnostic::error(file, Some(line_number as u32), message);
        let (principals, rest) = split_token(line);
        let rest = rest.trim_start();
        let (options, key_text) = if starts_with_key_type(rest) {
            ("", rest)
        } else {
            let (options, key) = split_token(rest);
            (options, key.trim_start())
        };
        let mut namespaces = None;
        for option in split_options(options) {
            let (name, value) = match option.split_once('=') {
                Some((n, v)) => (
                    n.to_ascii_lowercase(),
                    Some(v.trim_matches('"').to_string()),
                ),
                None => (option.to_ascii_lowercase(), None),
            };
            match (name.as_str(), value) {
                ("namespaces", Some(list)) => {
                    namespaces = Some(list.split(',').map(|n| n.trim().to_string()).collect())
                }
                ("cert-authority", _) => {
                    return Err(fail(
                        "certificate authorities are not supported; list the signers' keys".into(),
                    ));
                }
                ("valid-after" | "valid-before", _) => {}
                (other, _) => return Err(fail(format!("unknown option `{other}`"))),
            }
        }
        let key = PublicKey::from_openssh(key_text)
            .map_err(|e| fail(format!("not an OpenSSH public key: {e}")))?;
        signers.push(AllowedSigner {
            principals: principals.to_string(),
            namespaces,
            key,
        });
    }
    Ok(signers)
}

fn split_token(text: &str) -> (&str, &str) {
    // A token ends at unquoted whitespace.
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => return (&text[..i], &text[i..]),
            _ => {}
        }
    }
    (text, "")
}

fn split_options(options: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in options.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

fn starts_with_key_type(text: &str) -> bool {
    ["ssh-", "ecdsa-", "sk-"]
        .iter()
        .any(|p| text.starts_with(p))
}

/// OpenSSH pattern lists: comma-separated, `*` and `?` wildcards, `!` negates.
pub fn principal_matches(patterns: &str, name: &str) -> bool {
    let mut matched = false;
    for pattern in patterns.split(',') {
        if let Some(negated) = pattern.strip_prefix('!') {
            if glob(negated, name) {
                return false;
            }
        } else if glob(pattern, name) {
            matched = true;
        }
    }
    matched
}

fn glob(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// What checking one signature found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// Cryptographically valid; `authenticated` when an allowed-signers entry vouches for
    /// the signer and key.
    Valid {
        authenticated: bool,
        fingerprint: String,
    },
    Invalid {
        reason: String,
    },
}

pub fn check_signature(
    digest: &str,
    signature: &RecordSignature,
    allowed: Option<&[AllowedSigner]>,
) -> SignatureCheck {
    let invalid = |reason: String| SignatureCheck::Invalid { reason };
    let key = match PublicKey::from_openssh(signature.key.trim()) {
        Ok(key) => key,
        Err(e) => {
            return invalid(format!(
                "the recorded key is not an OpenSSH public key: {e}"
            ));
        }
    };
    let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
    let sshsig = match parse_sshsig(&signature.signature) {
        Ok(sig) => sig,
        Err(reason) => return invalid(reason.0),
    };
    if sshsig.namespace() != NAMESPACE {
        return invalid(format!(
            "signed for namespace `{}`, not `{NAMESPACE}`",
            sshsig.namespace()
        ));
    }
    if sshsig.public_key() != key.key_data() {
        return invalid("made with a different key than the one recorded beside it".into());
    }
    if key.verify(NAMESPACE, digest.as_bytes(), &sshsig).is_err() {
        return invalid(
            "does not match the record's digest: the record changed after it was signed".into(),
        );
    }
    match allowed {
        None => SignatureCheck::Valid {
            authenticated: false,
            fingerprint,
        },
        Some(allowed) => {
            let vouched = allowed.iter().any(|entry| {
                entry.key.key_data() == key.key_data()
                    && principal_matches(&entry.principals, &signature.signer)
                    && entry
                        .namespaces
                        .as_ref()
                        .is_none_or(|n| n.iter().any(|n| n == NAMESPACE))
            });
            if vouched {
                SignatureCheck::Valid {
                    authenticated: true,
                    fingerprint,
                }
            } else {
                invalid(format!(
                    "signer `{}` with key {fingerprint} is not in the allowed signers file for namespace {NAMESPACE}",
                    signature.signer
                ))
            }
        }
    }
}

/// Parses an armored SSHSIG strictly. The decoder alone accepts a blob whose length
/// fields disagree with what follows (it reads the public key by its own structure and
/// never checks the length in front of it), which `ssh-keygen -Y verify` rejects; so the
/// signature must be exactly what encoding the parsed value gives back, byte for byte:
/// every length right, nothing left over, nothing non-canonical. The version must be 1,
/// the only one defined.
fn parse_sshsig(armored: &str) -> Result<SshSig, SignatureError> {
    let sshsig =
        SshSig::from_pem(armored.trim()).map_err(|e| format!("not an SSH signature: {e}"))?;
    let canonical = sshsig
        .to_pem(LineEnding::LF)
        .map_err(|e| format!("not an SSH signature: {e}"))?;
    if sshsig.version() != SshSig::VERSION {
        return Err(SignatureError(format!(
            "not an SSH signature: version {} (only version {} exists)",
            sshsig.version(),
            SshSig::VERSION
        )));
    }
    if pem_body(armored) != pem_body(&canonical) {
        return Err(
            "not an SSH signature: its encoding is malformed (a length or field does not match its contents)"
                .into(),
        );
    }
    Ok(sshsig)
}

/// The base64 between the armor lines, without line breaks.
fn pem_body(armored: &str) -> String {
    armored
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with("-----"))
        .collect()
}

/// Who made a detached signature: the key inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedBy {
    pub key: PublicKey,
    /// `SHA256:...`, as `ssh-keygen -l` shows it.
    pub fingerprint: String,
}

impl SignedBy {
    /// `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`.
    pub fn algorithm(&self) -> String {
        self.key.algorithm().to_string()
    }

    /// Whether an allowed-signers entry names `principal` with this key for our namespace.
    pub fn vouched_by(&self, allowed: &[AllowedSigner], principal: &str) -> bool {
        allowed.iter().any(|entry| {
            entry.key.key_data() == self.key.key_data()
                && principal_matches(&entry.principals, principal)
                && entry
                    .namespaces
                    .as_ref()
                    .is_none_or(|n| n.iter().any(|n| n == NAMESPACE))
        })
    }
}

/// Checks a detached SSHSIG (namespace `deploycheck`) over `message`, exactly as
/// `ssh-keygen -Y verify -n deploycheck -s SIG < MESSAGE` would, and says whose key made
/// it. Which identity that key belongs to is for an allowed-signers file to say.
pub fn check_detached(message: &[u8], armored: &str) -> Result<SignedBy, SignatureError> {
    let sshsig = parse_sshsig(armored)?;
    if sshsig.namespace() != NAMESPACE {
        return Err(SignatureError(format!(
            "signed for namespace `{}`, not `{NAMESPACE}`",
            sshsig.namespace()
        )));
    }
    let key = PublicKey::from(sshsig.public_key().clone());
    key.verify(NAMESPACE, message, &sshsig).map_err(|_| {
        SignatureError(
            "does not match the file it signs: the file changed after it was signed".into(),
        )
    })?;
    let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
    Ok(SignedBy { key, fingerprint })
}

/// An armored SSHSIG (namespace `deploycheck`) by `key` over `message`, as
/// `ssh-keygen -Y sign -n deploycheck` makes it.
pub fn sign_detached(key: &PrivateKey, message: &[u8]) -> Result<String, SignatureError> {
    let signature = match key.key_data() {
        KeypairData::Rsa(keypair) => sign_rsa(key, keypair, message)?,
        _ => key
            .sign(NAMESPACE, HashAlg::Sha512, message)
            .map_err(|e| format!("signing with the {} key failed: {e}", key.algorithm()))?,
    };
    let pem = signature
        .to_pem(LineEnding::LF)
        .map_err(|e| format!("signing failed: {e}"))?;
    Ok(pem)
}

/// An `rsa-sha2-512` SSHSIG, as `ssh-keygen -Y sign` makes for RSA keys. ssh-key 0.6.7's
/// own RSA signing builds the key from the primes p and p (not p and q) and always fails,
/// so the key is rebuilt here from the right components.
fn sign_rsa(
    key: &PrivateKey,
    keypair: &RsaKeypair,
    message: &[u8],
) -> Result<SshSig, SignatureError> {
    use rsa::{BigUint, Pkcs1v15Sign, RsaPrivateKey};
    use sha2::{Digest, Sha512};

    let fail = |e: &dyn std::fmt::Display| format!("signing with the RSA key failed: {e}");
    let big = |m: &Mpint| {
        m.as_positive_bytes()
            .map(BigUint::from_bytes_be)
            .ok_or_else(|| fail(&"malformed key"))
    };
    let private = RsaPrivateKey::from_components(
        big(&keypair.public.n)?,
        big(&keypair.public.e)?,
        big(&keypair.private.d)?,
        vec![big(&keypair.private.p)?, big(&keypair.private.q)?],
    )
    .map_err(|e| fail(&e))?;
    let signed_data =
        SshSig::signed_data(NAMESPACE, HashAlg::Sha512, message).map_err(|e| fail(&e))?;
    let hashed = Sha512::digest(&signed_data);
    let bytes = private
        .sign_with_rng(
            &mut rsa::rand_core::OsRng,
            Pkcs1v15Sign::new::<Sha512>(),
            &hashed,
        )
        .map_err(|e| fail(&e))?;
    let signature = ssh_key::Signature::new(
        Algorithm::Rsa {
            hash: Some(HashAlg::Sha512),
        },
        bytes,
    )
    .map_err(|e| fail(&e))?;
    SshSig::new(
        key.public_key().key_data().clone(),
        NAMESPACE,
        HashAlg::Sha512,
        signature,
    )
    .map_err(|e| SignatureError(fail(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A signature by a fresh key over `digest`, as a record stores it.
    fn signed(digest: &str) -> RecordSignature {
        let key = PrivateKey::random(&mut ssh_key::rand_core::OsRng, Algorithm::Ed25519).unwrap();
        let sig = key
            .sign(NAMESPACE, HashAlg::Sha512, digest.as_bytes())
            .unwrap();
        RecordSignature {
            role: "Security Team".into(),
            signer: "dana@example.com".into(),
            key: key.public_key().to_openssh().unwrap(),
            at: crate::model::Timestamp::parse("2026-11-23T22:00:00+00:00").unwrap(),
            signature: sig.to_pem(LineEnding::LF).unwrap(),
        }
    }

    fn armor(bytes: &[u8]) -> String {
        use base64ct::Encoding;
        let body = base64ct::Base64::encode_string(bytes);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(70)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN SSH SIGNATURE-----\n{}\n-----END SSH SIGNATURE-----\n",
            lines.join("\n")
        )
    }

    fn blob(signature: &RecordSignature) -> Vec<u8> {
        use base64ct::Encoding;
        base64ct::Base64::decode_vec(&pem_body(&signature.signature)).unwrap()
    }

    #[test]
    fn a_signature_whose_public_key_length_was_changed_is_invalid() {
        let digest = "sha256:0123";
        let mut signature = signed(digest);
        assert!(matches!(
            check_signature(digest, &signature, None),
            SignatureCheck::Valid { .. }
        ));
        // "SSHSIG", a 4-byte version, then the public key's 4-byte length.
        let mut bytes = blob(&signature);
        bytes[13] += 1;
        signature.signature = armor(&bytes);
        let check = check_signature(digest, &signature, None);
        assert!(
            matches!(&check, SignatureCheck::Invalid { reason } if reason.contains("malformed")),
            "{check:?}"
        );
    }

    #[test]
    fn a_signature_with_any_byte_changed_or_appended_is_invalid() {
        let digest = "sha256:0123";
        let signature = signed(digest);
        let bytes = blob(&signature);
        for at in 0..bytes.len() {
            for flip in [0x01u8, 0x80] {
                let mut changed = bytes.clone();
                changed[at] ^= flip;
                let tampered = RecordSignature {
                    signature: armor(&changed),
                    ..signature.clone()
                };
                assert!(
                    matches!(
                        check_signature(digest, &tampered, None),
                        SignatureCheck::Invalid { .. }
                    ),
                    "byte {at} ^ {flip:#x} still verifies"
                );
            }
        }
        let mut longer = bytes.clone();
        longer.push(0);
        let tampered = RecordSignature {
            signature: armor(&longer),
            ..signature.clone()
        };
        assert!(matches!(
            check_signature(digest, &tampered, None),
            SignatureCheck::Invalid { .. }
        ));
    }

    #[test]
    fn a_public_key_given_to_sign_is_named_as_such() {
        let message = not_a_private_key("ssh-ed25519 AAAAC3Nza dana@example\n", "x");
        assert!(message.starts_with("this is a public key"), "{message}");
        let message = not_a_private_key("-----BEGIN RSA PRIVATE KEY-----\nMII\n", "x");
        assert!(message.contains("PEM `RSA PRIVATE KEY`"), "{message}");
        let message = not_a_private_key("hello", "bad preamble");
        assert!(message.contains("BEGIN OPENSSH PRIVATE KEY") && message.ends_with("bad preamble"));
    }

    #[test]
    fn principal_patterns_follow_openssh() {
        assert!(principal_matches("dana@example.com", "dana@example.com"));
        assert!(principal_matches("*@example.com,lee", "lee"));
        assert!(principal_matches("*@example.com", "dana@example.com"));
        assert!(!principal_matches(
            "*@example.com,!mallory@example.com",
            "mallory@example.com"
        ));
        assert!(principal_matches("d?na", "dana"));
        assert!(!principal_matches("dana", "dan"));
    }

    #[test]
    fn allowed_signers_lines_with_and_without_options() {
        let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOd/ODhGAoYlkpINk5ZmS8ApTYS1aCILi+t7PKRMYZsd dana@ops";
        let text =
            format!("# team\ndana@example.com {key}\nlee namespaces=\"git,deploycheck\" {key}\n");
        let signers = parse_allowed_signers(&text, "allowed_signers").unwrap();
        assert_eq!(signers.len(), 2);
        assert_eq!(signers[0].namespaces, None);
        assert_eq!(
            signers[1].namespaces.as_deref(),
            Some(&["git".to_string(), "deploycheck".to_string()][..])
        );
        let error = parse_allowed_signers("x cert-authority ssh-ed25519 AAAA\n", "a").unwrap_err();
        assert!(error.message.contains("certificate authorities"));
        assert!(parse_allowed_signers("x not-a-key\n", "a").is_err());
    }
}
