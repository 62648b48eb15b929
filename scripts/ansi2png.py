#!/usr/bin/env python3
"""Renders a terminal capture with ANSI colours (tmux capture-pane -e) to a PNG, cell by cell.

Usage: ansi2png.py CAPTURE.ans OUT.png [--cols N] [--rows N]
Needs Pillow (Debian: python3-pil) and DejaVu Sans Mono (Debian: fonts-dejavu-core).
"""
import re
import sys
import unicodedata

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
FONT_SIZE = 15
BACKGROUND = (24, 26, 33)
FOREGROUND = (215, 218, 224)
# The 16 ANSI colours, a dark theme close to what operators' terminals show.
PALETTE = [
    (40, 42, 54), (224, 88, 88), (106, 190, 108), (222, 184, 82), (98, 148, 230), (190, 120, 220), (86, 190, 200),
    (200, 204, 212), (96, 100, 112), (255, 120, 120), (140, 220, 140), (250, 215, 110), (130, 175, 255),
    (215, 150, 240), (120, 220, 230), (250, 250, 250),
]
SGR = re.compile(r"\x1b\[([0-9;]*)m")
OTHER_ESCAPE = re.compile(r"\x1b(\][^\x07]*\x07|\[[0-9;?]*[A-Za-ln-z])")


def xterm256(n):
    if n < 16:
        return PALETTE[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    level = 8 + (n - 232) * 10
    return (level, level, level)


class Style:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None
        self.bg = None
        self.bold = self.dim = self.reverse = self.underline = False

    def apply(self, params):
        codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 2:
                self.dim = True
            elif c == 4:
                self.underline = True
            elif c == 7:
                self.reverse = True
            elif c == 22:
                self.bold = self.dim = False
            elif c == 24:
                self.underline = False
            elif c == 27:
                self.reverse = False
            elif 30 <= c <= 37:
                self.fg = PALETTE[c - 30]
            elif 90 <= c <= 97:
                self.fg = PALETTE[c - 90 + 8]
            elif c == 39:
                self.fg = None
            elif 40 <= c <= 47:
                self.bg = PALETTE[c - 40]
            elif 100 <= c <= 107:
                self.bg = PALETTE[c - 100 + 8]
            elif c == 49:
                self.bg = None
            elif c in (38, 48) and i + 1 < len(codes):
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    colour = xterm256(codes[i + 2])
                    i += 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    colour = tuple(codes[i + 2:i + 5])
                    i += 4
                else:
                    colour = None
                if c == 38:
                    self.fg = colour
                else:
                    self.bg = colour
            i += 1

    def colours(self):
        fg = self.fg or FOREGROUND
        bg = self.bg or BACKGROUND
        if self.reverse:
            fg, bg = bg, fg
        if self.dim:
            fg = tuple((a + b) // 2 for a, b in zip(fg, bg))
        return fg, bg


def cells(text):
    """Yields rows of (character, width, fg, bg, bold, underline)."""
    style = Style()
    for line in text.split("\n"):
        row = []
        position = 0
        line = OTHER_ESCAPE.sub("", line)
        for match in SGR.finditer(line + "\x1b[m"):
            for character in line[position:match.start()]:
                width = 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1
                fg, bg = style.colours()
                row.append((character, width, fg, bg, style.bold, style.underline))
            style.apply(match.group(1))
            position = match.end()
        yield row


def main():
    arguments = sys.argv[1:]
    source, target = arguments[0], arguments[1]
    cols = int(arguments[arguments.index("--cols") + 1]) if "--cols" in arguments else None
    rows_wanted = int(arguments[arguments.index("--rows") + 1]) if "--rows" in arguments else None
    with open(source, encoding="utf-8") as handle:
        text = handle.read().rstrip("\n")
    grid = list(cells(text))
    cols = cols or max(sum(cell[1] for cell in row) for row in grid)
    rows = rows_wanted or len(grid)
    regular = ImageFont.truetype(FONT_DIR + "DejaVuSansMono.ttf", FONT_SIZE)
    bold = ImageFont.truetype(FONT_DIR + "DejaVuSansMono-Bold.ttf", FONT_SIZE)
    cell_width = round(regular.getlength("M"))
    ascent, descent = regular.getmetrics()
    cell_height = ascent + descent + 2
    margin = 12
    image = Image.new("RGB", (cols * cell_width + 2 * margin, rows * cell_height + 2 * margin), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(grid[:rows]):
        x = 0
        for character, width, fg, bg, is_bold, underline in row:
            left, top = margin + x * cell_width, margin + y * cell_height
            draw.rectangle([left, top, left + width * cell_width - 1, top + cell_height - 1], fill=bg)
            if character in "─│┌┐└┘├┤┬┴┼":
                draw_box(draw, character, left, top, cell_width, cell_height, fg)
            elif character != " ":
                draw.text((left, top + 1), character, font=bold if is_bold else regular, fill=fg)
            if underline:
                draw.line([left, top + cell_height - 2, left + width * cell_width, top + cell_height - 2], fill=fg)
            x += width
    image.save(target, optimize=True)


def draw_box(draw, character, left, top, width, height, colour):
    """Box lines drawn edge to edge, so borders join the way they do in a terminal."""
    middle_x, middle_y = left + width // 2, top + height // 2
    right, bottom = left + width - 1, top + height - 1
    if character in "─┌┐└┘├┤┬┴┼":
        start = middle_x if character in "┌└├" else left
        end = middle_x if character in "┐┘┤" else right
        if character in "─┬┴┼├┤":
            start, end = (middle_x if character == "├" else left), (middle_x if character == "┤" else right)
        draw.line([start, middle_y, end, middle_y], fill=colour)
    if character in "│┌┐└┘├┤┬┴┼":
        start = middle_y if character in "┌┐┬" else top
        end = middle_y if character in "└┘┴" else bottom
        draw.line([middle_x, start, middle_x, end], fill=colour)


if __name__ == "__main__":
    main()
