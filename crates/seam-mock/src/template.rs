//! PLACEHOLDER (the templating helper replaces this file): WireMock-compatible
//! response templates.

/// The request as templates see it.
#[derive(Debug, Clone, Default)]
pub struct TemplateRequest {
    pub method: String,
    pub url: String,
    pub path: String,
    pub base_url: String,
    pub query: Vec<(String, Vec<String>)>,
    pub headers: Vec<(String, Vec<String>)>,
    pub cookies: Vec<(String, String)>,
    pub body: String,
    pub path_params: Vec<(String, String)>,
}

#[derive(Debug)]
pub struct TemplateError(pub String);

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub struct Templates;

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl Templates {
    pub fn new() -> Self {
        Templates
    }

    pub fn render(&self, template: &str, _req: &TemplateRequest) -> Result<String, TemplateError> {
        Ok(template.to_string())
    }
}
