//! The security headers every response of a deployment carries, in one list: the nginx
//! snippet, `staticwebapp.config.json`, the test server and the README's CloudFront
//! policy are all made from it, so they cannot drift apart.

/// What the app never uses, denied to the page and anything it could embed. The one
/// powerful feature it uses is writing to the clipboard ("copy error details"), allowed
/// to its own origin only. Reading the clipboard keeps the browser's default (own origin,
/// after the user grants it): the end-to-end suite reads what the app copied. Only names
/// Chromium knows (on Linux it rejects `bluetooth` and `web-share` with a console error;
/// the nginx stage checks the console).
pub const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), camera=(), \
clipboard-write=(self), display-capture=(), encrypted-media=(), \
fullscreen=(), geolocation=(), gyroscope=(), hid=(), idle-detection=(), magnetometer=(), \
microphone=(), midi=(), payment=(), picture-in-picture=(), publickey-credentials-get=(), \
screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()";

/// HSTS, opt-in (`cargo xtask dist --hsts`): once a browser has seen it over https it
/// refuses plain http to that host name for a year, which breaks anything else served
/// over http on the same name, and cannot be taken back before it expires. The operator
/// decides, for the whole host. No `includeSubDomains`: sibling hosts are not ours.
pub const HSTS: (&str, &str) = ("Strict-Transport-Security", "max-age=31536000");

/// Every header, with the page's Content-Security-Policy.
pub fn security_headers(csp: &str) -> Vec<(&'static str, String)> {
    vec![
        ("Content-Security-Policy", csp.to_string()),
        // For browsers that predate the CSP's frame-ancestors (and say the same thing).
        ("X-Frame-Options", "DENY".into()),
        // The app opens no window and is opened by none it needs to talk to: a page of
        // another origin gets no handle on it.
        ("Cross-Origin-Opener-Policy", "same-origin".into()),
        ("Permissions-Policy", PERMISSIONS_POLICY.into()),
        ("Referrer-Policy", "no-referrer".into()),
        ("X-Content-Type-Options", "nosniff".into()),
    ]
}

/// Names of the headers [`security_headers`] sends.
#[cfg(test)]
pub fn names() -> Vec<&'static str> {
    security_headers("").into_iter().map(|(n, _)| n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_permissions_policy_denies_devices_and_allows_only_clipboard_writes_to_self() {
        let directives: Vec<&str> = PERMISSIONS_POLICY.split(", ").collect();
        for denied in [
            "camera",
            "microphone",
            "geolocation",
            "payment",
            "usb",
            "serial",
        ] {
            assert!(
                directives.contains(&format!("{denied}=()").as_str()),
                "{denied}"
            );
        }
        assert!(directives.contains(&"clipboard-write=(self)"));
        // Every other directive is a denial.
        assert_eq!(directives.iter().filter(|d| !d.ends_with("=()")).count(), 1);
    }

    #[test]
    fn every_header_the_issue_asks_for_is_in_the_list() {
        let h = security_headers("default-src 'none'; frame-ancestors 'none'");
        let get = |n: &str| h.iter().find(|(k, _)| *k == n).map(|(_, v)| v.as_str());
        assert_eq!(get("X-Frame-Options"), Some("DENY"));
        assert_eq!(get("Cross-Origin-Opener-Policy"), Some("same-origin"));
        assert_eq!(get("Referrer-Policy"), Some("no-referrer"));
        assert_eq!(get("X-Content-Type-Options"), Some("nosniff"));
        assert!(
            get("Content-Security-Policy")
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert!(get("Strict-Transport-Security").is_none(), "HSTS is opt-in");
    }
}
