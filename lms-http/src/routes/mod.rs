//! The `/api/v1` routes, one module per aggregate of the core.

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub mod achievements;
pub mod courses;
pub mod dashboard;
pub mod files;
pub mod gradebook;
pub mod homework;
pub mod notification;
pub mod quiz;
pub mod schedule;
pub mod users;
pub mod webinar;

/// Every authenticated `/api/v1` route (auth routes are in [`crate::auth`]).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(users::routes())
        .merge(files::routes())
        .merge(courses::routes())
        .merge(dashboard::routes())
        .merge(gradebook::routes())
        .merge(achievements::routes())
        .merge(quiz::routes())
        .merge(webinar::routes())
        .merge(schedule::routes())
        .merge(notification::routes())
        .merge(homework::routes())
}

/// Routes outside `/api/v1` that need no session (the calendar feed);
/// documented in the OpenAPI document with the others.
pub fn public_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().merge(schedule::public_routes())
}
