//! The `/api/v1` routes, one module per aggregate of the core.

use axum::Router;
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub mod homework;
pub mod users;

/// Every authenticated `/api/v1` route (auth routes are in [`crate::auth`]).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(users::routes())
        .merge(homework::routes())
}

/// Routes outside `/api/v1` that need no session (the calendar feed).
pub fn public_routes() -> Router<AppState> {
    Router::new()
}
