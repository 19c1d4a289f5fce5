//! The third-party payment gateway, virtualized: seam mock serving the
//! WireMock mappings in `demo/gateway/mappings/` (charges succeed for
//! `tok_visa`, are declined for `tok_declined`, and need the API key). Fault
//! scenarios add stubs through its WireMock admin API.

use crate::assets;

/// Starts the gateway mock on a free loopback port.
pub async fn start() -> Result<seam_mock::MockServer, String> {
    let mut stubs = Vec::new();
    for asset in assets::ASSETS
        .iter()
        .filter(|a| a.path.starts_with("gateway/mappings/"))
    {
        let value: serde_json::Value =
            serde_json::from_str(asset.contents).map_err(|e| format!("{}: {e}", asset.path))?;
        stubs.push(
            seam_mock::wiremock::stub_from_mapping(&value, None)
                .map_err(|e| format!("{}: {e}", asset.path))?,
        );
    }
    seam_mock::MockServer::start(seam_mock::MockConfig::default(), stubs)
        .await
        .map_err(|e| format!("cannot start the gateway mock: {e}"))
}
