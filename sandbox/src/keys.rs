//! The tenant's token-signing key: RS256 JWTs and the JWKS that publishes the key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub struct Keys {
    pub kid: String,
    signing: SigningKey<Sha256>,
    verifying: VerifyingKey<Sha256>,
    public: RsaPublicKey,
}

/// Why a token was not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    Malformed,
    BadSignature,
}

impl Keys {
    /// A fresh 2048-bit key for this run (tokens do not survive a restart, as after a key
    /// rollover).
    pub fn generate() -> Keys {
        let private =
            RsaPrivateKey::new(&mut rand::thread_rng(), 2048).expect("RSA key generation");
        let public = RsaPublicKey::from(&private);
        let kid = B64.encode(&Sha256::digest(public.n().to_bytes_be())[..15]);
        Keys {
            kid,
            signing: SigningKey::<Sha256>::new(private),
            verifying: VerifyingKey::<Sha256>::new(public.clone()),
            public,
        }
    }

    /// The JSON Web Key Set, as `/discovery/v2.0/keys` serves it.
    pub fn jwks(&self, issuer: &str) -> Value {
        json!({ "keys": [{
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.kid,
            "n": B64.encode(self.public.n().to_bytes_be()),
            "e": B64.encode(self.public.e().to_bytes_be()),
            "alg": "RS256",
            "issuer": issuer,
        }]})
    }

    /// Signs `claims` as a compact RS256 JWT.
    pub fn sign(&self, claims: &Value) -> String {
        let header = json!({ "typ": "JWT", "alg": "RS256", "kid": self.kid, "x5t": self.kid });
        let input = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(claims.to_string())
        );
        let sig: Signature = self.signing.sign(input.as_bytes());
        format!("{input}.{}", B64.encode(sig.to_bytes()))
    }

    /// Checks the signature and returns the claims (expiry and audience are the caller's).
    pub fn verify(&self, token: &str) -> Result<Value, TokenError> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let header: Value = decode_json(h).ok_or(TokenError::Malformed)?;
        if header["alg"] != "RS256" {
            return Err(TokenError::BadSignature);
        }
        let sig_bytes = B64.decode(s).map_err(|_| TokenError::Malformed)?;
        let sig = Signature::try_from(sig_bytes.as_slice()).map_err(|_| TokenError::Malformed)?;
        self.verifying
            .verify(format!("{h}.{p}").as_bytes(), &sig)
            .map_err(|_| TokenError::BadSignature)?;
        decode_json(p).ok_or(TokenError::Malformed)
    }
}

fn decode_json(part: &str) -> Option<Value> {
    serde_json::from_slice(&B64.decode(part).ok()?).ok()
}

/// base64url without padding, as JWTs and PKCE use it.
pub fn b64url(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

/// The PKCE S256 transform of a code verifier (RFC 7636 §4.2).
pub fn s256(verifier: &str) -> String {
    b64url(&Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_matches_rfc7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn a_signed_token_verifies_and_a_tampered_one_does_not() {
        let keys = Keys::generate();
        let token = keys.sign(&json!({ "aud": "x", "n": 1 }));
        assert_eq!(keys.verify(&token).unwrap()["n"], 1);
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = B64.encode(json!({ "aud": "x", "n": 2 }).to_string());
        parts[1] = &forged;
        assert_eq!(keys.verify(&parts.join(".")), Err(TokenError::BadSignature));
        assert_eq!(keys.verify("a.b"), Err(TokenError::Malformed));
        let other = Keys::generate();
        assert_eq!(other.verify(&token), Err(TokenError::BadSignature));
    }
}
