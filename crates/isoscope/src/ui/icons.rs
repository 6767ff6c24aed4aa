//! File-type icons painted as vector shapes: tessellated at the screen's
//! scale, so they stay crisp at 1.0, 1.5 or 2.0 pixels per point.

use egui::{pos2, vec2, Color32, Painter, Pos2, Rect, Shape, Stroke};

use crate::format::FileClass;

/// The icon's size in points (a row is 22 points high).
pub const SIZE: f32 = 16.0;

/// Allocates an icon-sized spot in `ui` and paints `class` there.
pub fn show(ui: &mut egui::Ui, class: FileClass) -> egui::Response {
    let (rect, r) = ui.allocate_exact_size(vec2(SIZE, SIZE), egui::Sense::hover());
    paint(ui.painter(), rect, class, ui.visuals().dark_mode);
    r
}

/// Paints `class` into `rect` (a square is used, centred).
pub fn paint(p: &Painter, rect: Rect, class: FileClass, dark: bool) {
    let s = rect.width().min(rect.height());
    let r = Rect::from_center_size(rect.center(), vec2(s, s));
    let at = |x: f32, y: f32| pos2(r.min.x + x * s, r.min.y + y * s);
    let line = if dark {
        Color32::from_gray(210)
    } else {
        Color32::from_gray(70)
    };
    let thin = Stroke::new((s / 16.0).max(0.75), line);
    match class {
        FileClass::Folder => folder(p, &at, false, thin),
        FileClass::OpenFolder => folder(p, &at, true, thin),
        FileClass::Text => {
            page(p, &at, Color32::from_rgb(0xf4, 0xf4, 0xf0), thin);
            for (i, w) in [0.45, 0.40, 0.45, 0.30].iter().enumerate() {
                let y = 0.40 + i as f32 * 0.13;
                p.line_segment([at(0.28, y), at(0.28 + w, y)], thin);
            }
        }
        FileClass::Picture => {
            page(p, &at, Color32::from_rgb(0xe8, 0xf4, 0xff), thin);
            p.circle_filled(
                at(0.62, 0.42),
                s * 0.08,
                Color32::from_rgb(0xf5, 0xb7, 0x00),
            );
            p.add(Shape::convex_polygon(
                vec![at(0.22, 0.85), at(0.45, 0.52), at(0.72, 0.85)],
                Color32::from_rgb(0x3c, 0xa0, 0x4a),
                Stroke::NONE,
            ));
        }
        FileClass::Audio => {
            page(p, &at, Color32::from_rgb(0xf3, 0xe8, 0xff), thin);
            let c = Color32::from_rgb(0x7b, 0x3f, 0xc4);
            p.circle_filled(at(0.38, 0.76), s * 0.09, c);
            p.circle_filled(at(0.66, 0.70), s * 0.09, c);
            let st = Stroke::new(s / 12.0, c);
            p.line_segment([at(0.46, 0.76), at(0.46, 0.40)], st);
            p.line_segment([at(0.74, 0.70), at(0.74, 0.34)], st);
            p.line_segment([at(0.46, 0.40), at(0.74, 0.34)], st);
        }
        FileClass::Video => {
            let body = Rect::from_min_max(at(0.1, 0.22), at(0.9, 0.80));
            p.rect_filled(body, s * 0.08, Color32::from_rgb(0x30, 0x30, 0x38));
            for i in 0..4 {
                let x = 0.17 + i as f32 * 0.2;
                for y in [0.27, 0.70] {
                    p.rect_filled(
                        Rect::from_min_size(at(x, y), vec2(s * 0.09, s * 0.06)),
                        0.0,
                        Color32::from_gray(220),
                    );
                }
            }
            p.add(Shape::convex_polygon(
                vec![at(0.42, 0.38), at(0.64, 0.51), at(0.42, 0.64)],
                Color32::from_rgb(0xe0, 0x40, 0x40),
                Stroke::NONE,
            ));
        }
        FileClass::Archive => {
            let body = Rect::from_min_max(at(0.15, 0.25), at(0.85, 0.88));
            p.rect_filled(body, s * 0.06, Color32::from_rgb(0xc8, 0x96, 0x5a));
            p.rect_filled(
                Rect::from_min_max(at(0.1, 0.14), at(0.9, 0.32)),
                s * 0.05,
                Color32::from_rgb(0xa8, 0x74, 0x3c),
            );
            for i in 0..4 {
                let y = 0.36 + i as f32 * 0.12;
                p.rect_filled(
                    Rect::from_min_size(at(0.46, y), vec2(s * 0.08, s * 0.06)),
                    0.0,
                    Color32::from_gray(40),
                );
            }
            p.rect_stroke(body, s * 0.06, thin, egui::StrokeKind::Inside);
        }
        FileClass::Executable => {
            let body = Rect::from_min_max(at(0.08, 0.18), at(0.92, 0.84));
            p.rect_filled(body, s * 0.08, Color32::from_rgb(0x2b, 0x5f, 0xb4));
            p.rect_filled(
                Rect::from_min_max(at(0.08, 0.18), at(0.92, 0.32)),
                s * 0.06,
                Color32::from_rgb(0x1b, 0x3f, 0x7a),
            );
            let st = Stroke::new(s / 12.0, Color32::WHITE);
            p.line_segment([at(0.24, 0.46), at(0.38, 0.56)], st);
            p.line_segment([at(0.38, 0.56), at(0.24, 0.66)], st);
            p.line_segment([at(0.46, 0.68), at(0.70, 0.68)], st);
        }
        FileClass::DiscImage => disc(p, &at, s, Color32::from_rgb(0x9e, 0xc6, 0xe0), thin),
        FileClass::BootImage => {
            disc(p, &at, s, Color32::from_rgb(0xf0, 0xb0, 0x50), thin);
            // A power mark over the disc.
            let c = Color32::from_rgb(0xc0, 0x30, 0x20);
            let st = Stroke::new(s / 10.0, c);
            p.line_segment([at(0.78, 0.56), at(0.78, 0.74)], st);
            p.circle_stroke(at(0.78, 0.80), s * 0.12, st);
        }
        FileClass::Link => {
            page(p, &at, Color32::from_rgb(0xf4, 0xf4, 0xf0), thin);
            let c = Color32::from_rgb(0x1a, 0x73, 0xe8);
            let st = Stroke::new(s / 10.0, c);
            p.line_segment([at(0.30, 0.78), at(0.62, 0.46)], st);
            p.add(Shape::convex_polygon(
                vec![at(0.70, 0.38), at(0.70, 0.60), at(0.48, 0.38)],
                c,
                Stroke::NONE,
            ));
        }
        FileClass::Device => {
            let body = Rect::from_min_max(at(0.25, 0.25), at(0.75, 0.75));
            p.rect_filled(body, s * 0.04, Color32::from_rgb(0x40, 0x48, 0x50));
            let pin = Stroke::new(s / 14.0, line);
            for i in 0..3 {
                let t = 0.35 + i as f32 * 0.15;
                p.line_segment([at(t, 0.12), at(t, 0.25)], pin);
                p.line_segment([at(t, 0.75), at(t, 0.88)], pin);
                p.line_segment([at(0.12, t), at(0.25, t)], pin);
                p.line_segment([at(0.75, t), at(0.88, t)], pin);
            }
        }
        FileClass::Other => page(p, &at, Color32::from_rgb(0xee, 0xee, 0xee), thin),
    }
}

fn folder(p: &Painter, at: &dyn Fn(f32, f32) -> Pos2, open: bool, thin: Stroke) {
    let back = Color32::from_rgb(0xd8, 0x9a, 0x20);
    let front = Color32::from_rgb(0xf2, 0xc0, 0x4a);
    p.add(Shape::convex_polygon(
        vec![
            at(0.06, 0.22),
            at(0.38, 0.22),
            at(0.46, 0.32),
            at(0.94, 0.32),
            at(0.94, 0.84),
            at(0.06, 0.84),
        ],
        back,
        Stroke::NONE,
    ));
    let face = if open {
        vec![
            at(0.20, 0.44),
            at(1.0, 0.44),
            at(0.86, 0.84),
            at(0.06, 0.84),
        ]
    } else {
        vec![
            at(0.06, 0.38),
            at(0.94, 0.38),
            at(0.94, 0.84),
            at(0.06, 0.84),
        ]
    };
    p.add(Shape::convex_polygon(face, front, thin));
}

/// A sheet with a folded top-right corner.
fn page(p: &Painter, at: &dyn Fn(f32, f32) -> Pos2, fill: Color32, thin: Stroke) {
    p.add(Shape::convex_polygon(
        vec![
            at(0.18, 0.06),
            at(0.62, 0.06),
            at(0.84, 0.28),
            at(0.84, 0.94),
            at(0.18, 0.94),
        ],
        fill,
        thin,
    ));
    p.add(Shape::convex_polygon(
        vec![at(0.62, 0.06), at(0.84, 0.28), at(0.62, 0.28)],
        Color32::from_gray(200),
        thin,
    ));
}

fn disc(p: &Painter, at: &dyn Fn(f32, f32) -> Pos2, s: f32, tint: Color32, thin: Stroke) {
    let c = at(0.5, 0.5);
    p.circle(c, s * 0.44, tint, thin);
    p.circle_stroke(
        c,
        s * 0.30,
        Stroke::new(s / 24.0, Color32::from_white_alpha(160)),
    );
    p.circle(c, s * 0.11, Color32::from_gray(250), thin);
}
