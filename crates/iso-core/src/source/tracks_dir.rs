//! What a disc container adds to a view's tree: files stored in Mode 2
//! Form 2 are marked (read 2324 bytes a sector), and the audio tracks
//! appear as read-only WAV files under `/[TRACKS]`.

use std::collections::VecDeque;

use super::disc::{Disc, TrackMode};
use super::virtual_files::{form2_extents, is_form2, WAV_HEADER_LEN};
use crate::error::Result;
use crate::tree::{Encoding, NewNode, NodeFlags, NodeId, NodeKind, Tree, TreeBuilder};

/// The virtual folder of audio tracks.
pub const TRACKS_DIR: &str = "[TRACKS]";

/// The WAV file name of audio track `n`: "02-audio.wav".
pub fn wav_name(n: u8) -> String {
    format!("{n:02}-audio.wav")
}

/// Marks the files of `tree` that are stored in Form 2 sectors.
pub fn mark_form2(tree: &mut Tree, disc: &Disc) {
    let mode2_raw = disc
        .tracks
        .iter()
        .any(|t| t.mode == TrackMode::Mode2 && t.storage.layout.is_raw());
    if !mode2_raw {
        return;
    }
    let files: Vec<NodeId> = tree
        .ids()
        .filter(|&id| tree.kind(id) == NodeKind::File && tree.encoding(id) == Encoding::Plain)
        .collect();
    for id in files {
        if is_form2(disc, tree.extents(id)) {
            let (_, size) = form2_extents(tree.extents(id));
            tree.set_encoding(id, Encoding::Form2, size);
        }
    }
}

/// `tree` with a `/[TRACKS]` folder holding a WAV file per audio track
/// (the tree unchanged when the disc has none). The tree is copied
/// breadth first with the folder as the root's last child, so the ids of
/// a root-only tree stay a prefix of the whole tree's.
///
/// # Errors
/// When the copy exceeds the tree's node cap.
pub fn add_tracks_dir(tree: Tree, disc: &Disc) -> Result<Tree> {
    let audio: Vec<NewNode> = disc
        .tracks
        .iter()
        .filter(|t| t.mode == TrackMode::Audio)
        .map(|t| NewNode {
            name: wav_name(t.number),
            kind: Some(NodeKind::File),
            size: WAV_HEADER_LEN + u64::from(t.length) * super::raw::RAW_LEN as u64,
            flags: NodeFlags::VIRTUAL,
            encoding: Encoding::AudioTrack { track: t.number },
            ..Default::default()
        })
        .collect();
    if audio.is_empty() {
        return Ok(tree);
    }
    let mut b = TreeBuilder::new(tree.view(), copy_node(&tree, tree.root()));
    let mut queue = VecDeque::from([(tree.root(), NodeId(0))]);
    let mut tracks_dir = None;
    while let Some((old, new)) = queue.pop_front() {
        let kids: Vec<NodeId> = tree.children(old).collect();
        let mut nodes: Vec<NewNode> = kids.iter().map(|&k| copy_node(&tree, k)).collect();
        let is_root = old == tree.root();
        if is_root {
            nodes.push(NewNode {
                name: TRACKS_DIR.into(),
                kind: Some(NodeKind::Dir),
                flags: NodeFlags::VIRTUAL,
                ..Default::default()
            });
        }
        let range = b.add_children(new, nodes)?;
        for (i, k) in kids.iter().enumerate() {
            let id = NodeId(
                range
                    .start
                    .saturating_add(u32::try_from(i).unwrap_or(u32::MAX)),
            );
            if tree.kind(*k) == NodeKind::Dir {
                queue.push_back((*k, id));
            }
        }
        if is_root {
            tracks_dir = Some(NodeId(range.end.saturating_sub(1)));
        }
    }
    if let Some(dir) = tracks_dir.filter(|_| !tree.is_partial()) {
        b.add_children(dir, audio)?;
    }
    for w in tree.warnings() {
        b.warn(w.clone());
    }
    if tree.is_partial() {
        b.mark_partial();
    }
    Ok(b.finish())
}

fn copy_node(tree: &Tree, id: NodeId) -> NewNode {
    NewNode {
        name: tree.name(id).to_string(),
        kind: Some(tree.kind(id)),
        size: tree.size(id),
        flags: tree.flags(id),
        times: tree.times(id),
        unix: tree.unix(id),
        target: tree.link_target(id).map(str::to_string),
        extents: tree.extents(id).to_vec(),
        encoding: tree.encoding(id),
    }
}
