//! The school this server runs: its name and logo, for the web UI's header
//! and login page. Public: the login page shows them before anyone logs in.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// How the school presents itself, as the operator configured it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SchoolInfo {
    /// The school's name (`LMS_SCHOOL_NAME`).
    pub name: String,
    /// Address of the school's logo (`LMS_SCHOOL_LOGO_URL`); `null` for the
    /// built-in one.
    pub logo_url: Option<String>,
    /// Whether anyone may register a student account with a course's
    /// invite code (`POST /api/v1/auth/register`).
    pub self_registration: bool,
}

/// The school's name and logo (no login needed).
#[utoipa::path(
    get, path = "/school", tag = "school",
    responses((status = 200, description = "The school", body = SchoolInfo)),
)]
async fn school(State(state): State<AppState>) -> Json<SchoolInfo> {
    Json(SchoolInfo {
        name: state.config.school_name.clone(),
        logo_url: state.config.school_logo_url.clone(),
        self_registration: state.config.onboarding.self_registration,
    })
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(school))
}
