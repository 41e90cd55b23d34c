//! The models a server offers (`GET {base_url}/models`): listed for `/model`, and named when the
//! model asked for does not exist. Never on the way to a chat answer unless that failed.

use std::time::Duration;

use serde_json::Value;

use super::Client;
use crate::provider::ProviderError;

impl Client {
    /// Fills in the models a server offers when it said the asked one does not exist.
    pub(super) async fn with_models(&self, err: ProviderError) -> ProviderError {
        match err {
            ProviderError::ModelNotFound {
                model,
                url,
                message,
                available,
            } if available.is_empty() => {
                let listed = self.list_models().await.unwrap_or_default();
                let available = if listed.is_empty() {
                    self.known_models.clone()
                } else {
                    listed
                };
                ProviderError::ModelNotFound {
                    model,
                    url,
                    message,
                    available,
                }
            }
            other => other,
        }
    }

    /// The model ids the server lists at `GET {base_url}/models`.
    pub async fn list_models(&self) -> Result<Vec<String>, ProviderError> {
        let mut rb = self
            .http
            .get(&self.models_url)
            .timeout(self.timeouts.connect.max(Duration::from_secs(10)));
        if let Some(k) = &self.key {
            rb = rb.bearer_auth(k.expose());
        }
        let resp = rb
            .send()
            .await
            .map_err(|source| ProviderError::Connection {
                url: self.models_url.clone(),
                source,
            })?;
        let text = resp.text().await.map_err(|source| ProviderError::Dropped {
            source,
            partial: None,
        })?;
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let ids = v["data"].as_array().map(|a| {
            a.iter()
                .filter_map(|m| m["id"].as_str().map(str::to_string))
                .collect()
        });
        Ok(ids.unwrap_or_default())
    }
}
