//! Drafts becoming the object they were made for. An upload made while
//! editing something not saved yet is a draft ([`FileOwner::Unattached`]);
//! when the text or attachment list that uses it is saved, the service
//! saving it takes over the author's drafts it names, so the file is then
//! read by whoever reads the object.

use crate::error::{Conflict, StorageError, StorageResult};
use crate::file::model::{FileOwner, FileRef};
use crate::file::ports::FileRegistry;
use crate::ids::FileId;
use crate::richtext::RichText;
use crate::user::Actor;

/// The actor's own drafts among `ids`, each once, in order. Anything else
/// (another user's draft, a file already part of something, an unknown id)
/// is left out: a text may show a picture it does not own.
pub(crate) async fn own_drafts(
    files: &dyn FileRegistry,
    actor: &Actor,
    ids: Vec<FileId>,
) -> StorageResult<Vec<FileRef>> {
    let mut drafts: Vec<FileRef> = Vec::new();
    for id in ids {
        if drafts.iter().any(|f| f.id == id) {
            continue;
        }
        if let Some((file, FileOwner::Unattached)) = files.get(id).await?
            && file.uploaded_by == actor.user_id
        {
            drafts.push(file);
        }
    }
    Ok(drafts)
}

/// Makes `drafts` (from [`own_drafts`]) part of `owner`, all or none. Call
/// it once the owner is saved. A draft the cleanup deleted or another save
/// took in the meantime leaves them all drafts, as before: the next save
/// takes them over, so this never fails the save for it.
pub(crate) async fn adopt_drafts(
    files: &dyn FileRegistry,
    actor: &Actor,
    owner: FileOwner,
    drafts: &[FileRef],
) -> StorageResult<()> {
    if drafts.is_empty() {
        return Ok(());
    }
    let ids: Vec<FileId> = drafts.iter().map(|f| f.id).collect();
    match files.attach(&ids, actor.user_id, owner).await {
        Ok(_) | Err(StorageError::NotFound | StorageError::Conflict(Conflict::FileAttached)) => {
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Takes over the actor's drafts that `texts` show or link to (see
/// [`RichText::file_ids`]) into `owner`, once `owner` is saved.
pub(crate) async fn adopt_pictures(
    files: &dyn FileRegistry,
    actor: &Actor,
    owner: FileOwner,
    texts: &[&RichText],
) -> StorageResult<()> {
    let ids: Vec<FileId> = texts.iter().flat_map(|t| t.file_ids()).collect();
    let drafts = own_drafts(files, actor, ids).await?;
    adopt_drafts(files, actor, owner, &drafts).await
}

/// The actor's drafts an object names when it is saved: among its
/// attachment ids and the files its text shows (see [`own_drafts`]).
pub(crate) async fn named_drafts(
    files: &dyn FileRegistry,
    actor: &Actor,
    attachment_ids: Option<&[FileId]>,
    text: &RichText,
) -> StorageResult<Vec<FileRef>> {
    let ids = attachment_ids
        .unwrap_or_default()
        .iter()
        .copied()
        .chain(text.file_ids())
        .collect();
    own_drafts(files, actor, ids).await
}
