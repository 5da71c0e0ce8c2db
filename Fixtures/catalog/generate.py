#!/usr/bin/env python3
"""Generate the Emporium seed catalog (Fixtures/catalog/catalog.json).

Python 3 standard library only. Deterministic: a fixed random seed and
ordered data structures mean re-running reproduces catalog.json byte for byte.

    python3 Fixtures/catalog/generate.py
"""

import json
import os
import random
import re
import sys

SEED = 20261121
CURRENCY = "EUR"
PRODUCTS_PER_LEAF = 36
MIN_CATEGORIES = 12
MIN_TOP_LEVEL = 4
MIN_PRODUCTS = 520
INACTIVE_SHARE = 0.03
OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "catalog.json")

# ---------------------------------------------------------------------------
# Materials: key (also the "material" attribute value) ->
#   (word used in product names or None to leave it out, phrase for descriptions)
# ---------------------------------------------------------------------------
MATERIALS = {
    "oak": ("Oak", "solid oak"),
    "walnut": ("Walnut", "oiled walnut"),
    "ash": ("Ash", "solid ash"),
    "beech": ("Beech", "steam-bent beech"),
    "pine": ("Pine", "FSC-certified pine"),
    "bamboo": ("Bamboo", "sustainably grown bamboo"),
    "larch": ("Larch", "untreated larch"),
    "cedar": ("Cedar", "weather-resistant cedar"),
    "rattan": ("Rattan", "hand-woven rattan"),
    "brass": ("Brass", "brushed brass"),
    "copper": ("Copper", "polished copper"),
    "steel": ("Steel", "powder-coated steel"),
    "stainless steel": ("Stainless Steel", "brushed stainless steel"),
    "carbon steel": ("Carbon Steel", "pre-seasoned carbon steel"),
    "damascus steel": ("Damascus", "67-layer Damascus steel"),
    "galvanised steel": ("Galvanised", "galvanised steel"),
    "forged steel": ("Forged", "drop-forged steel"),
    "cast iron": ("Cast-Iron", "solid cast iron"),
    "enamelled cast iron": ("Enamelled", "enamelled cast iron"),
    "aluminium": ("Aluminium", "anodised aluminium"),
    "titanium": ("Titanium", "lightweight titanium"),
    "carbon fibre": ("Carbon", "a carbon fibre monocoque"),
    "glass": ("Glass", "mouth-blown glass"),
    "borosilicate glass": ("Glass", "heat-resistant borosilicate glass"),
    "frosted glass": (None, "frosted glass"),
    "ceramic": ("Ceramic", "glazed stoneware ceramic"),
    "marble": ("Marble", "honed Carrara marble"),
    "linen": ("Linen", "stonewashed European linen"),
    "cotton": ("Cotton", "long-staple organic cotton"),
    "cotton sateen": ("Sateen", "400-thread-count cotton sateen"),
    "waffle cotton": ("Waffle", "absorbent waffle-weave cotton"),
    "velvet": ("Velvet", "plush cotton velvet"),
    "wool": ("Wool", "pure new wool"),
    "merino wool": ("Merino", "fine merino wool"),
    "cashmere blend": ("Cashmere", "a wool and cashmere blend"),
    "jute": ("Jute", "hand-braided jute"),
    "felt": ("Felt", "pressed wool felt"),
    "sheepskin": ("Sheepskin", "genuine sheepskin"),
    "leather": ("Leather", "full-grain leather"),
    "suede": ("Suede", "water-repellent suede"),
    "nubuck": ("Nubuck", "waxed nubuck leather"),
    "cork": ("Cork", "natural cork"),
    "canvas": ("Canvas", "heavy cotton canvas"),
    "waxed canvas": ("Waxed Canvas", "waxed cotton canvas"),
    "waxed cotton": ("Waxed", "waxed cotton"),
    "nylon": ("Nylon", "durable ripstop nylon"),
    "recycled nylon": (None, "recycled ripstop nylon"),
    "ripstop nylon": (None, "silicone-coated ripstop nylon"),
    "recycled polyester": (None, "recycled polyester"),
    "polyester fleece": ("Fleece", "recycled polyester fleece"),
    "goose down": ("Down", "responsibly sourced goose down"),
    "synthetic insulation": ("Synthetic", "synthetic insulation"),
    "mesh": (None, "breathable engineered mesh"),
    "neoprene": ("Neoprene", "padded neoprene"),
    "natural rubber": ("Rubber", "natural tree rubber"),
    "tpe": (None, "non-slip TPE foam"),
    "eva foam": (None, "high-density EVA foam"),
    "latex": (None, "natural latex"),
    "rubber-coated steel": ("Rubber", "rubber-coated steel"),
    "recycled plastic": (None, "recycled plastic"),
    "plastic": (None, "impact-resistant plastic"),
    "polycarbonate": (None, "impact-resistant polycarbonate"),
    "fabric": (None, "acoustic fabric over a rigid frame"),
}

# Words kept as written when a product type is lower-cased for descriptions.
KEEP_CASE = {"Bluetooth", "USB-C", "LED", "Chelsea", "Dutch", "TKL"}

# Product types sold as a pair; descriptions say "a pair of ...".
PLURAL_TYPES = {"Running Shoes", "Sneakers", "Chelsea Boots", "Hiking Boots", "Sandals", "Slippers", "Pruning Shears"}


def V(suffix, sep=" ", **attrs):
    """A variant: text appended to the name plus the attributes it implies."""
    return {"suffix": suffix, "sep": sep, "attrs": attrs}


def colors(*names):
    return [V(c.title(), sep=", ", color=c) for c in names]


def T(name, mats, price, uses, variants=None, attrs=None, details=None, features=None, colors_attr=None,
      plural=False, closers=None):
    return {
        "closers": closers,
        "name": name,
        "plural": plural,
        "materials": mats,
        "price": price,
        "uses": uses,
        "variants": variants or [V("")],
        "attrs": attrs or {},
        "details": details or [""],
        "features": features or [],
        "colors": colors_attr,
    }


# ---------------------------------------------------------------------------
# Category tree. Each leaf carries its SKU prefix, brands, adjectives,
# closing sentences and product types.
# ---------------------------------------------------------------------------
TREE = [
    ("home-kitchen", "Home & Kitchen", [
        ("lighting", "Lighting", {
            "prefix": "LGT",
            "brands": ["Nordlys", "Halden", "Solvik", "Brightwell", "Aurelio", "Lumenhaus"],
            "adjectives": ["warm", "minimalist", "elegant", "compact", "timeless", "sculptural"],
            "closers": [
                "Compatible with dimmable LED bulbs.",
                "Ships with a 2-year warranty.",
                "Wipe clean with a soft, dry cloth.",
                "Bulb sold separately.",
            ],
            "types": [
                T("Table Lamp", ["oak", "brass", "ceramic", "walnut"], (39, 189),
                  ["reading in the living room", "a bedside table", "a cosy corner of the study"],
                  variants=colors("natural", "black", "white", "smoke grey"),
                  attrs={"wattage": [40, 60], "bulb": ["E27"]},
                  details=[" with a linen shade", " with an opal glass diffuser", ""]),
                T("Floor Lamp", ["oak", "steel", "brass"], (89, 349),
                  ["lighting a reading chair", "living rooms with high ceilings", "soft ambient light in the evening"],
                  variants=[V("150 cm", height_cm=150), V("165 cm", height_cm=165), V("180 cm", height_cm=180)],
                  attrs={"wattage": [60], "bulb": ["E27"]},
                  details=[" with a tilting head", " with a foot switch", ""],
                  colors_attr=["black", "white", "natural"]),
                T("Pendant Light", ["glass", "rattan", "aluminium", "brass"], (49, 299),
                  ["hanging over a dining table", "kitchen islands", "hallways and stairwells"],
                  variants=[V("30 cm", diameter_cm=30), V("40 cm", diameter_cm=40), V("50 cm", diameter_cm=50)],
                  attrs={"wattage": [40, 60], "cable_length_m": [1.5, 2]},
                  colors_attr=["clear", "amber", "black", "natural"]),
                T("LED Desk Lamp", ["aluminium", "steel"], (29, 149),
                  ["brightening a home office", "late-night study sessions", "detailed hobby work"],
                  variants=[V(""), V("with Wireless Charger", wireless_charging=True), V("Pro", dimmable=True)],
                  attrs={"wattage": [6, 8, 12], "color_temperature_k": ["2700-6500", "3000-5000"]},
                  features=["A touch dimmer offers five brightness levels."],
                  closers=["Integrated LEDs rated for 25,000 hours.", "Ships with a 2-year warranty."],
                  colors_attr=["black", "white", "silver"]),
                T("Wall Sconce", ["brass", "steel", "glass", "oak"], (35, 159),
                  ["bedside reading", "lighting a narrow hallway", "framing a bathroom mirror"],
                  variants=colors("brass", "matte black", "white"),
                  attrs={"wattage": [25, 40], "ip_rating": ["IP20", "IP44"]},
                  details=[" with a swivel arm", " with a frosted glass shade", ""]),
            ],
        }),
        ("cookware", "Cookware", {
            "prefix": "CKW",
            "brands": ["Ferro", "Cucina Viva", "Kessel", "Marlowe", "Ashby", "Tavola"],
            "adjectives": ["heavy-duty", "versatile", "professional", "everyday", "well-balanced"],
            "closers": [
                "Suitable for gas, electric and induction hobs.",
                "Dishwasher safe, though hand washing keeps it looking new.",
                "Oven safe up to 260 °C.",
                "Backed by a lifetime warranty.",
            ],
            "types": [
                T("Skillet", ["cast iron", "carbon steel", "stainless steel"], (24, 119),
                  ["searing steak", "crispy fried eggs", "stovetop-to-oven cooking"],
                  variants=[V("20 cm", diameter_cm=20), V("24 cm", diameter_cm=24), V("26 cm", diameter_cm=26), V("28 cm", diameter_cm=28)],
                  details=[" with a helper handle", " with a pouring lip on each side", " that arrives pre-seasoned", ""]),
                T("Saucepan", ["stainless steel", "copper", "aluminium"], (29, 149),
                  ["simmering sauces", "cooking rice and grains", "warming soups"],
                  variants=[V("1.5 L", capacity_l=1.5), V("2 L", capacity_l=2), V("3 L", capacity_l=3)],
                  details=[" with a tempered glass lid", " with a tri-ply base", ""]),
                T("Dutch Oven", ["enamelled cast iron"], (79, 299),
                  ["slow-cooked stews", "baking crusty sourdough", "braising on a Sunday afternoon"],
                  variants=[V("3.8 L", capacity_l=3.8), V("5.2 L", capacity_l=5.2), V("6.7 L", capacity_l=6.7)],
                  colors_attr=["cherry red", "sage", "midnight blue", "cream"],
                  details=[" with a self-basting lid", ""]),
                T("Chef's Knife", ["damascus steel", "stainless steel", "carbon steel"], (39, 189),
                  ["slicing vegetables", "carving roasts", "everyday prep work"],
                  variants=[V("16 cm", blade_cm=16), V("20 cm", blade_cm=20), V("23 cm", blade_cm=23)],
                  attrs={"handle": ["oak", "walnut", "olive wood", "resin"]},
                  details=[" with a hand-sharpened edge", " with a full tang", ""],
                  closers=["Hand wash and dry straight away to keep the edge keen.", "Backed by a lifetime warranty."]),
                T("Cutting Board", ["oak", "walnut", "bamboo"], (19, 89),
                  ["chopping herbs", "serving cheese and bread", "carving meat"],
                  variants=[V("30 x 20 cm", size="30x20 cm"), V("40 x 28 cm", size="40x28 cm"), V("50 x 35 cm", size="50x35 cm")],
                  details=[" with a juice groove", " with end-grain construction", ""],
                  closers=["Treat with mineral oil once a month to keep the wood supple.", "Hand wash only."]),
                T("Electric Kettle", ["stainless steel", "borosilicate glass"], (29, 129),
                  ["brewing tea", "pour-over coffee", "quick instant meals"],
                  variants=[V("1.2 L", capacity_l=1.2), V("1.7 L", capacity_l=1.7)],
                  attrs={"wattage": [2000, 2200, 3000]},
                  closers=["Variable temperature settings suit green tea and coffee alike.",
                           "Switches off automatically when the water boils."],
                  colors_attr=["steel", "black", "white"]),
            ],
        }),
        ("furniture", "Furniture", {
            "prefix": "FRN",
            "brands": ["Halden", "Vestra", "Oakhurst", "Linnea", "Brennholt", "Moravia"],
            "adjectives": ["solid", "Scandinavian-style", "mid-century", "handcrafted", "space-saving"],
            "closers": [
                "Delivered flat-packed with all fittings included.",
                "Assembly takes about 30 minutes.",
                "Finished with a natural, water-based lacquer.",
                "Made to order in Europe.",
            ],
            "types": [
                T("Dining Table", ["oak", "walnut", "ash"], (299, 1499),
                  ["family dinners", "hosting friends", "open-plan kitchens"],
                  variants=[V("140 cm", length_cm=140, seats=4), V("180 cm", length_cm=180, seats=6),
                            V("220 cm", length_cm=220, seats=8)],
                  details=[" with tapered legs", " with a steel trestle base", ""]),
                T("Dining Chair", ["oak", "beech", "steel", "rattan"], (69, 299),
                  ["dining rooms", "kitchen tables", "a home office"],
                  variants=colors("natural", "black", "sage", "walnut stain"),
                  details=[" with an upholstered seat", " with a curved backrest", ""]),
                T("Bookshelf", ["oak", "pine", "steel"], (89, 499),
                  ["displaying books and plants", "living rooms", "a tidy home office"],
                  variants=[V("3 Shelves", shelves=3), V("5 Shelves", shelves=5)],
                  colors_attr=["natural", "white", "black"]),
                T("Sofa", ["linen", "velvet", "leather"], (499, 2499),
                  ["relaxing in the living room", "movie nights", "compact apartments"],
                  variants=[V("2-Seater", seats=2), V("3-Seater", seats=3), V("Corner", seats=5)],
                  colors_attr=["oatmeal", "forest green", "charcoal", "cognac"],
                  details=[" with oak legs", " with removable covers", " with feather-filled cushions"],
                  closers=["Delivered to your room of choice by two-person crew.", "Made to order in Europe."]),
                T("Coffee Table", ["oak", "marble", "glass", "walnut"], (129, 699),
                  ["the living room", "a reading nook", "displaying books and candles"],
                  variants=[V("Round", shape="round"), V("Oval", shape="oval"), V("Rectangular", shape="rectangular")],
                  details=[" with a lower shelf", " with a steel frame", ""]),
                T("Bedside Table", ["oak", "walnut", "pine"], (59, 249),
                  ["the bedroom", "guest rooms", "small spaces"],
                  variants=[V("with Drawer", drawers=1), V("with Two Drawers", drawers=2), V("Open Shelf", drawers=0)],
                  colors_attr=["natural", "white", "black"]),
            ],
        }),
        ("home-textiles", "Home Textiles", {
            "prefix": "TXT",
            "brands": ["Linnea", "Woolhaus", "Saltmarsh", "Kaya", "Fjordtex", "Hearthway"],
            "adjectives": ["soft", "breathable", "cosy", "durable", "relaxed"],
            "closers": [
                "Machine washable at 40 °C.",
                "OEKO-TEX certified.",
                "Woven in Portugal.",
                "Gets softer with every wash.",
            ],
            "types": [
                T("Duvet Cover", ["cotton", "linen", "cotton sateen"], (39, 149),
                  ["year-round sleeping", "a hotel-style bed", "warm summer nights"],
                  variants=[V("135 x 200 cm", size="135x200 cm"), V("155 x 220 cm", size="155x220 cm"), V("200 x 200 cm", size="200x200 cm")],
                  colors_attr=["white", "sand", "dusty blue", "terracotta"],
                  details=[" with hidden button closure", ""]),
                T("Throw Blanket", ["wool", "cotton", "cashmere blend"], (29, 189),
                  ["the sofa on chilly evenings", "layering on the bed", "picnics"],
                  variants=colors("oatmeal", "charcoal", "rust", "moss green"),
                  attrs={"size": ["130x170 cm", "150x200 cm"]},
                  details=[" with fringed edges", " in a herringbone weave", ""]),
                T("Bath Towel", ["cotton", "bamboo", "waffle cotton"], (12, 49),
                  ["the bathroom", "the gym", "the sauna"],
                  variants=colors("white", "sage", "stone", "navy"),
                  attrs={"size": ["50x100 cm", "70x140 cm", "100x150 cm"], "gsm": [500, 600, 700]}),
                T("Rug", ["wool", "jute", "cotton"], (79, 599),
                  ["living rooms", "bedrooms", "hallways"],
                  variants=[V("120 x 170 cm", size="120x170 cm"), V("160 x 230 cm", size="160x230 cm"), V("200 x 300 cm", size="200x300 cm")],
                  colors_attr=["natural", "grey", "ivory", "ochre"],
                  details=[" in a flat weave", " with a hand-knotted pile", ""],
                  closers=["Use a rug pad on hard floors.", "Vacuum regularly and spot clean as needed."]),
                T("Cushion Cover", ["linen", "velvet", "cotton"], (14, 39),
                  ["refreshing a sofa", "bedroom accents", "reading nooks"],
                  variants=[V("45 x 45 cm", size="45x45 cm"), V("50 x 50 cm", size="50x50 cm"), V("40 x 60 cm", size="40x60 cm")],
                  colors_attr=["mustard", "blush", "olive", "ink blue"]),
                T("Curtain Panel", ["linen", "cotton", "velvet"], (29, 129),
                  ["living room windows", "blackout bedrooms", "softening bright light"],
                  variants=[V("140 x 250 cm", size="140x250 cm"), V("140 x 280 cm", size="140x280 cm")],
                  colors_attr=["white", "natural", "slate", "forest green"],
                  details=[" with a thermal lining", " with tab tops", ""]),
            ],
        }),
    ]),
    ("electronics", "Electronics", [
        ("audio", "Audio", {
            "prefix": "AUD",
            "brands": ["Sonora", "Klangwerk", "Auralis", "Vireo", "Bassline", "Echowave"],
            "adjectives": ["high-fidelity", "compact", "powerful", "refined", "beautifully tuned"],
            "closers": [
                "Includes a 2-year warranty.",
                "Free returns within 30 days.",
            ],
            "types": [
                T("Wireless Headphones", ["aluminium", "recycled plastic"], (59, 399),
                  ["long flights", "focused work in noisy offices", "daily commutes"],
                  variants=[V("ANC", noise_cancelling=True), V("Studio", noise_cancelling=False), V("Lite", noise_cancelling=False)],
                  attrs={"battery_h": [30, 40, 60], "connectivity": ["bluetooth 5.3"]},
                  features=["Pairs instantly over Bluetooth 5.3.", "Charges over USB-C in under two hours."],
                  colors_attr=["black", "silver", "sand", "navy"],
                  details=[" with memory foam ear cushions", " with protein leather cushions", ""],
                  plural=True),
                T("True Wireless Earbuds", ["recycled plastic"], (39, 249),
                  ["running and workouts", "calls on the go", "the commute"],
                  variants=[V("Sport", water_resistance="IPX5"), V("Pro", water_resistance="IPX4"), V("Mini", water_resistance="IPX4")],
                  attrs={"battery_h": [6, 8, 10], "connectivity": ["bluetooth 5.3"]},
                  features=["The wireless charging case adds three full charges.", "Charges over USB-C in under two hours."],
                  colors_attr=["black", "white", "mint"], plural=True),
                T("Bluetooth Speaker", ["fabric", "aluminium", "recycled plastic"], (29, 299),
                  ["beach days", "garden parties", "the kitchen"],
                  variants=[V("Mini", wattage=10), V("Go", wattage=20), V("Max", wattage=60)],
                  attrs={"battery_h": [12, 16, 24], "water_resistance": ["IPX7", "IP67"]},
                  features=["Pair two speakers for wireless stereo sound.", "Charges over USB-C in under two hours."],
                  colors_attr=["black", "teal", "coral", "grey"]),
                T("Soundbar", ["fabric", "aluminium"], (149, 899),
                  ["movie nights", "upgrading TV sound", "small living rooms"],
                  variants=[V("2.1", channels="2.1"), V("3.1", channels="3.1"), V("5.1", channels="5.1")],
                  attrs={"wattage": [120, 240, 400], "connectivity": ["HDMI eARC, bluetooth", "HDMI eARC, Wi-Fi, bluetooth"]},
                  details=[" with a wireless subwoofer", ""]),
                T("Turntable", ["oak", "walnut", "aluminium"], (179, 799),
                  ["vinyl collectors", "listening rooms", "getting started with records"],
                  variants=[V(""), V("Bluetooth", connectivity="bluetooth"), V("USB", connectivity="usb")],
                  attrs={"speeds_rpm": ["33/45", "33/45/78"]},
                  details=[" with a belt-driven platter", " with a built-in phono preamp", ""]),
                T("Bookshelf Speakers", ["oak", "walnut"], (149, 699),
                  ["hi-fi listening at home", "a desktop studio setup", "pairing with a turntable"],
                  variants=[V("Pair", wattage=50), V("Active Pair", wattage=100)],
                  attrs={"driver_mm": [100, 130, 165]},
                  details=[" with a silk-dome tweeter", " with a front-firing bass port", ""], plural=True),
            ],
        }),
        ("computer-accessories", "Computer Accessories", {
            "prefix": "CPA",
            "brands": ["Tekkon", "Keystone", "Pixelform", "Datawise", "Nimbus", "Vireo"],
            "adjectives": ["ergonomic", "slim", "wireless", "sturdy", "plug-and-play"],
            "closers": [
                "Works with Windows, macOS and Linux.",
                "Includes a braided USB-C cable.",
                "Ships with a 2-year warranty.",
            ],
            "types": [
                T("Mechanical Keyboard", ["aluminium", "plastic"], (59, 229),
                  ["programming", "gaming", "long writing sessions"],
                  variants=[V("TKL", layout="tenkeyless"), V("75%", layout="75%"), V("Full Size", layout="full")],
                  attrs={"switches": ["linear", "tactile", "clicky"], "connectivity": ["wireless", "wired"]},
                  details=[" with hot-swappable switches", " with PBT keycaps", ""]),
                T("Wireless Mouse", ["plastic", "aluminium"], (19, 129),
                  ["office work", "travel", "graphic design"],
                  variants=[V("Ergo", dpi=4000), V("Mini", dpi=2400), V("Pro", dpi=8000)],
                  attrs={"connectivity": ["wireless", "bluetooth"], "battery_h": [70, 120]},
                  colors_attr=["graphite", "white", "pale grey"]),
                T("Monitor Arm", ["steel", "aluminium"], (39, 189),
                  ["freeing up desk space", "standing desks", "dual-screen setups"],
                  variants=[V("Single", screens=1), V("Dual", screens=2)],
                  attrs={"max_load_kg": [8, 9, 12]},
                  details=[" with gas-spring height adjustment", ""]),
                T("USB-C Hub", ["aluminium"], (24, 99),
                  ["laptops with few ports", "hot-desking", "travel"],
                  variants=[V("5-in-1", ports=5), V("7-in-1", ports=7), V("10-in-1", ports=10)],
                  attrs={"power_delivery_w": [60, 100]},
                  features=["Supports 4K output over HDMI."],
                  colors_attr=["space grey", "silver"]),
                T("Laptop Stand", ["aluminium", "oak", "walnut"], (29, 119),
                  ["better posture at the desk", "home offices", "video calls"],
                  variants=[V("Adjustable", adjustable=True), V("Fixed", adjustable=False), V("Foldable", adjustable=True)],
                  attrs={"max_screen_in": [16, 17]}),
                T("Webcam", ["plastic", "aluminium"], (39, 199),
                  ["video calls", "streaming", "remote teaching"],
                  variants=[V("1080p", resolution="1080p"), V("2K", resolution="1440p"), V("4K", resolution="2160p")],
                  attrs={"microphone": ["stereo", "dual noise-reducing"]},
                  details=[" with a privacy shutter", " with autofocus", ""]),
            ],
        }),
        ("smart-home", "Smart Home", {
            "prefix": "SMH",
            "brands": ["Nimbus", "Hausmind", "Lumio", "Gridline", "Vireo", "Homestead"],
            "adjectives": ["smart", "energy-saving", "app-controlled", "voice-ready", "wireless"],
            "closers": [
                "Works with Alexa, Google Home and Apple Home.",
                "Connects over 2.4 GHz Wi-Fi; no hub required.",
                "Matter certified for easy setup.",
            ],
            "types": [
                T("Smart Plug", ["polycarbonate"], (14, 59),
                  ["scheduling lamps", "monitoring energy use", "holiday lights"],
                  variants=[V("Single", pack=1), V("2-Pack", pack=2), V("4-Pack", pack=4)],
                  attrs={"max_load_w": [2300, 3680]}),
                T("Smart Thermostat", ["aluminium", "plastic"], (99, 279),
                  ["cutting heating bills", "controlling radiators remotely", "multi-room heating"],
                  variants=[V(""), V("Starter Kit", includes_hub=True)],
                  colors_attr=["white", "black", "brushed steel"]),
                T("Video Doorbell", ["aluminium", "plastic"], (79, 249),
                  ["seeing who's at the door", "parcel deliveries", "front-door security"],
                  variants=[V("Wired", power="wired"), V("Battery", power="battery")],
                  attrs={"resolution": ["1080p", "2K"], "field_of_view_deg": [150, 160]},
                  features=["Wireless chime included."]),
                T("Smart Bulb", ["frosted glass", "plastic"], (9, 49),
                  ["mood lighting", "wake-up routines", "lighting a whole room from your phone"],
                  variants=[V("E27", socket="E27"), V("GU10", socket="GU10"), V("E27 3-Pack", socket="E27")],
                  attrs={"wattage": [5, 9], "color": ["tunable white", "full colour"]}),
                T("Security Camera", ["plastic", "aluminium"], (39, 229),
                  ["watching a driveway", "checking on pets", "garden security"],
                  variants=[V("Indoor", placement="indoor"), V("Outdoor", placement="outdoor"), V("Pan & Tilt", placement="indoor")],
                  attrs={"resolution": ["1080p", "2K", "4K"], "night_vision": [True]}),
                T("Robot Vacuum", ["plastic"], (199, 899),
                  ["pet hair", "hard floors and low carpets", "daily hands-free cleaning"],
                  variants=[V("S", mopping=False), V("S+ with Mop", mopping=True), V("Max", mopping=True)],
                  attrs={"capacity_l": [0.4, 0.6], "battery_min": [120, 180]},
                  colors_attr=["black", "white"]),
            ],
        }),
    ]),
    ("fashion", "Fashion", [
        ("footwear", "Footwear", {
            "prefix": "FTW",
            "brands": ["Pellino", "Trailform", "Vantaa", "Corso", "Kestrel", "Marlowe"],
            "adjectives": ["comfortable", "classic", "lightweight", "hard-wearing", "handmade"],
            "closers": [
                "Available in EU sizes 36 to 46.",
                "Fits true to size.",
                "Resoleable by any good cobbler.",
                "Free returns within 30 days.",
            ],
            "types": [
                T("Running Shoes", ["mesh"], (69, 189),
                  ["road running", "gym sessions", "all-day wear"],
                  variants=colors("black", "white", "volt", "navy"),
                  attrs={"size_range": ["EU 36-46"], "drop_mm": [6, 8, 10]},
                  details=[" with a responsive foam midsole", ""],
                  closers=["Fits true to size.", "Free returns within 30 days."]),
                T("Sneakers", ["leather", "suede", "canvas"], (59, 229),
                  ["everyday wear", "smart-casual outfits", "city walking"],
                  variants=colors("white", "black", "tan", "off-white"),
                  attrs={"size_range": ["EU 36-46"], "sole": ["rubber cupsole", "natural rubber"]}),
                T("Chelsea Boots", ["leather", "suede"], (119, 299),
                  ["autumn and winter", "the office", "weekends in town"],
                  variants=colors("black", "dark brown", "tan"),
                  attrs={"size_range": ["EU 36-46"], "sole": ["Goodyear-welted rubber", "leather"]}),
                T("Hiking Boots", ["leather", "nubuck"], (109, 279),
                  ["mountain trails", "muddy walks", "multi-day treks"],
                  variants=colors("brown", "grey", "olive"),
                  attrs={"size_range": ["EU 36-46"], "waterproof": [True]},
                  details=[" with a waterproof membrane", " with a grippy lug sole", ""]),
                T("Sandals", ["leather", "cork"], (39, 129),
                  ["summer holidays", "beach towns", "warm city days"],
                  variants=colors("tan", "black", "natural"),
                  attrs={"size_range": ["EU 36-46"]}),
                T("Slippers", ["wool", "felt", "sheepskin"], (24, 89),
                  ["cold floors", "lazy Sundays", "the holiday cabin"],
                  variants=colors("grey", "natural", "navy"),
                  attrs={"size_range": ["EU 36-46"], "sole": ["suede", "rubber"]}),
            ],
        }),
        ("bags", "Bags", {
            "prefix": "BAG",
            "brands": ["Corso", "Atlas & Field", "Pellino", "Haversack", "Nomada", "Wayfarer"],
            "adjectives": ["roomy", "timeless", "practical", "structured", "travel-ready"],
            "closers": [
                "Solid brass hardware throughout.",
                "Comes with a dust bag.",
                "Backed by a 5-year warranty.",
            ],
            "types": [
                T("Backpack", ["canvas", "recycled polyester", "leather"], (49, 249),
                  ["commuting by bike", "carrying a 15-inch laptop", "weekend trips"],
                  variants=[V("20 L", capacity_l=20), V("28 L", capacity_l=28), V("35 L", capacity_l=35)],
                  colors_attr=["black", "olive", "navy", "sand"],
                  details=[" with a padded laptop sleeve", " with a roll-top closure", ""]),
                T("Tote Bag", ["canvas", "leather", "cotton"], (19, 199),
                  ["the farmers' market", "beach days", "the office"],
                  variants=colors("natural", "black", "cognac", "stone"),
                  attrs={"capacity_l": [12, 18, 22]}),
                T("Weekender Bag", ["leather", "waxed canvas"], (129, 399),
                  ["short getaways", "cabin luggage", "the gym"],
                  variants=colors("cognac", "dark brown", "olive", "black"),
                  attrs={"capacity_l": [35, 45]},
                  details=[" with a separate shoe compartment", ""]),
                T("Crossbody Bag", ["leather", "nylon"], (39, 189),
                  ["hands-free city days", "travel", "festivals"],
                  variants=colors("black", "tan", "burgundy", "sage"),
                  details=[" with an adjustable webbing strap", ""]),
                T("Laptop Sleeve", ["felt", "leather", "neoprene"], (24, 89),
                  ["protecting a laptop in a backpack", "meetings", "travel"],
                  variants=[V('13"', fits_in=13), V('14"', fits_in=14), V('16"', fits_in=16)],
                  colors_attr=["grey", "black", "cognac"]),
                T("Wallet", ["leather"], (24, 119),
                  ["everyday carry", "front-pocket carry", "travel"],
                  variants=[V("Bifold", style="bifold"), V("Card Holder", style="card holder"), V("Zip", style="zip")],
                  colors_attr=["black", "tan", "dark brown", "navy"],
                  features=["RFID-blocking lining protects contactless cards."]),
            ],
        }),
        ("outerwear", "Outerwear", {
            "prefix": "OUT",
            "brands": ["Kestrel", "Nordvik", "Fjordtex", "Haversack", "Alpenrose", "Tundra & Co"],
            "adjectives": ["warm", "versatile", "breathable", "well-cut", "hard-wearing"],
            "closers": [
                "Available in sizes XS to XXL.",
                "Regular fit; size down for a closer cut.",
                "Free returns within 30 days.",
            ],
            "types": [
                T("Rain Jacket", ["recycled nylon", "waxed cotton"], (89, 299),
                  ["wet commutes", "hiking in changeable weather", "city life"],
                  variants=colors("black", "yellow", "olive", "navy"),
                  attrs={"size_range": ["XS-XXL"], "waterproof_mm": [10000, 20000]},
                  details=[" with taped seams", " with an adjustable hood", ""]),
                T("Puffer Jacket", ["goose down", "synthetic insulation"], (149, 449),
                  ["cold winter days", "ski trips", "layering in the mountains"],
                  variants=colors("black", "navy", "burgundy", "forest green"),
                  attrs={"size_range": ["XS-XXL"], "fill_power": [600, 700, 800]},
                  features=["Packs into its own pocket.", "Baffled chambers keep the insulation evenly spread."],
                  details=[" with a nylon shell", ""]),
                T("Coat", ["wool", "cashmere blend"], (179, 599),
                  ["the office", "winter evenings out", "layering over a suit"],
                  variants=colors("camel", "charcoal", "navy", "black"),
                  attrs={"size_range": ["XS-XXL"], "fit": ["regular", "relaxed"]},
                  details=[" with a satin lining", ""]),
                T("Fleece Jacket", ["polyester fleece"], (49, 149),
                  ["layering on the trail", "chilly mornings", "camping trips"],
                  variants=colors("grey", "forest green", "rust", "black"),
                  attrs={"size_range": ["XS-XXL"], "weight_gsm": [200, 300]}),
                T("Softshell Jacket", ["recycled polyester"], (79, 229),
                  ["trail running", "cycling", "windy coastal walks"],
                  variants=colors("black", "blue", "grey"),
                  attrs={"size_range": ["XS-XXL"], "waterproof_mm": [5000, 8000]}),
                T("Parka", ["recycled nylon", "waxed cotton"], (199, 549),
                  ["harsh winters", "Nordic city life", "long dog walks"],
                  variants=colors("olive", "black", "navy", "sand"),
                  attrs={"size_range": ["XS-XXL"], "insulation": ["synthetic", "down"]},
                  details=[" with a faux-fur trimmed hood", ""]),
            ],
        }),
    ]),
    ("sports-outdoors", "Sports & Outdoors", [
        ("camping", "Camping", {
            "prefix": "CAM",
            "brands": ["Trailform", "Nordvik", "Ridgeback", "Campfjell", "Wildmark", "Summit & Pine"],
            "adjectives": ["lightweight", "rugged", "packable", "reliable", "compact"],
            "closers": [
                "Packs down small enough for a weekend rucksack.",
                "Comes with a stuff sack.",
                "Tested in Scandinavian field conditions.",
            ],
            "types": [
                T("Tent", ["ripstop nylon", "recycled polyester"], (129, 699),
                  ["backpacking", "festival weekends", "family camping trips"],
                  variants=[V("2-Person", capacity_persons=2), V("3-Person", capacity_persons=3), V("4-Person", capacity_persons=4)],
                  attrs={"seasons": [3, 4], "weight_kg": [1.4, 2.1, 3.2]},
                  details=[" with aluminium poles", " with two vestibules", ""]),
                T("Sleeping Bag", ["goose down", "synthetic insulation"], (69, 399),
                  ["alpine nights", "summer camping", "bikepacking"],
                  variants=[V("4-Season", comfort_c=-5), V("3-Season", comfort_c=0), V("Summer", comfort_c=8)],
                  attrs={"weight_kg": [0.8, 1.1, 1.5]}),
                T("Camping Stove", ["stainless steel", "titanium"], (39, 189),
                  ["boiling water fast", "cooking at camp", "winter trips"],
                  variants=[V(""), V("System", includes_pot=True)],
                  attrs={"fuel": ["gas canister", "multi-fuel"]}),
                T("Headlamp", ["aluminium", "plastic"], (19, 79),
                  ["night hikes", "setting up camp in the dark", "trail running"],
                  variants=[V("300 lm", lumens=300), V("500 lm", lumens=500), V("900 lm", lumens=900)],
                  attrs={"battery": ["USB-C rechargeable", "3x AAA"], "ip_rating": ["IPX4", "IPX7"]}),
                T("Insulated Bottle", ["stainless steel"], (19, 49),
                  ["keeping coffee hot", "day hikes", "the office desk"],
                  variants=[V("0.5 L", capacity_l=0.5), V("0.75 L", capacity_l=0.75), V("1 L", capacity_l=1)],
                  colors_attr=["steel", "forest green", "black", "sky blue"],
                  features=["Keeps drinks hot for 12 hours and cold for 24."]),
                T("Camping Chair", ["aluminium", "steel"], (29, 129),
                  ["campfires", "festivals", "fishing trips"],
                  variants=[V(""), V("High Back", high_back=True), V("Low", high_back=False)],
                  attrs={"max_load_kg": [120, 145]},
                  colors_attr=["black", "olive", "orange"]),
            ],
        }),
        ("cycling", "Cycling", {
            "prefix": "CYC",
            "brands": ["Velocita", "Ridgeback", "Gravelo", "Cadenza", "Spoke & Chain", "Veloce"],
            "adjectives": ["fast", "light", "aerodynamic", "comfortable", "dependable"],
            "closers": [
                "Includes a 2-year warranty.",
                "Free returns within 30 days.",
            ],
            "types": [
                T("Road Bike", ["aluminium", "carbon fibre", "steel"], (699, 3499),
                  ["long weekend rides", "sportives", "fast commuting"],
                  variants=[V("52 cm", frame_cm=52), V("54 cm", frame_cm=54), V("56 cm", frame_cm=56), V("58 cm", frame_cm=58)],
                  attrs={"gears": [16, 22, 24], "brakes": ["hydraulic disc", "rim"]},
                  features=["Free setup when collected in store."]),
                T("Gravel Bike", ["aluminium", "steel", "carbon fibre"], (899, 2999),
                  ["forest tracks", "bikepacking", "mixed-surface commutes"],
                  variants=[V("S", frame_size="S"), V("M", frame_size="M"), V("L", frame_size="L")],
                  attrs={"gears": [11, 12], "brakes": ["hydraulic disc"]},
                  features=["Free setup when collected in store.", "Clears tyres up to 45 mm."]),
                T("Bike Helmet", ["polycarbonate"], (39, 199),
                  ["road cycling", "commuting", "mountain biking"],
                  variants=[V("MIPS", mips=True), V("Urban", mips=False), V("Aero", mips=True)],
                  attrs={"size": ["S", "M", "L"]},
                  colors_attr=["matte black", "white", "red"],
                  features=["Meets the EN 1078 safety standard."]),
                T("Bike Light Set", ["aluminium", "plastic"], (19, 89),
                  ["winter commuting", "night rides", "being seen in traffic"],
                  variants=[V("400 lm", lumens=400), V("800 lm", lumens=800), V("1200 lm", lumens=1200)],
                  attrs={"battery": ["USB-C rechargeable"]}),
                T("Bike Lock", ["steel", "forged steel"], (24, 119),
                  ["city parking", "overnight storage", "cargo bikes"],
                  variants=[V("U-Lock", style="u-lock"), V("Chain 90 cm", style="chain"), V("Folding", style="folding")],
                  attrs={"security_level": [8, 10, 12]}),
                T("Cycling Jersey", ["merino wool", "recycled polyester"], (49, 149),
                  ["summer rides", "long-distance touring", "racing"],
                  variants=colors("black", "navy", "coral", "forest green"),
                  attrs={"size_range": ["XS-XXL"], "fit": ["race", "regular"]},
                  details=[" with three rear pockets", ""]),
            ],
        }),
        ("fitness", "Fitness", {
            "prefix": "FIT",
            "brands": ["Ironclad", "Flexa", "Kinetik", "Pulsefit", "Corestrong", "Atlas & Field"],
            "adjectives": ["durable", "versatile", "non-slip", "compact", "gym-grade"],
            "closers": [
                "A good fit for small home gyms.",
                "Comes with a printed workout guide.",
                "Easy to store under a bed or sofa.",
            ],
            "types": [
                T("Dumbbell Set", ["cast iron", "rubber-coated steel"], (39, 299),
                  ["home strength training", "rehab exercises", "full-body workouts"],
                  variants=[V("2 x 5 kg", weight_kg=10), V("2 x 10 kg", weight_kg=20), V("2 x 20 kg", weight_kg=40)],
                  attrs={"adjustable": [True, False]}),
                T("Kettlebell", ["cast iron", "rubber-coated steel"], (24, 119),
                  ["swings and snatches", "conditioning circuits", "home gyms"],
                  variants=[V("8 kg", weight_kg=8), V("12 kg", weight_kg=12), V("16 kg", weight_kg=16), V("24 kg", weight_kg=24)]),
                T("Yoga Mat", ["natural rubber", "cork", "tpe"], (24, 99),
                  ["yoga", "pilates", "stretching"],
                  variants=[V("4 mm", thickness_mm=4), V("6 mm", thickness_mm=6)],
                  colors_attr=["sage", "charcoal", "lavender", "natural"],
                  details=[" with alignment lines", " with a carry strap", ""]),
                T("Resistance Band Set", ["latex"], (14, 49),
                  ["mobility work", "travel workouts", "physiotherapy"],
                  variants=[V("Light", level="light"), V("Medium", level="medium"), V("Heavy", level="heavy")],
                  attrs={"bands": [3, 5]}),
                T("Foam Roller", ["eva foam"], (14, 49),
                  ["muscle recovery", "warm-ups", "easing tight calves"],
                  variants=[V("33 cm", length_cm=33), V("45 cm", length_cm=45), V("90 cm", length_cm=90)],
                  colors_attr=["black", "blue", "orange"]),
                T("Fitness Tracker", ["aluminium", "plastic"], (49, 249),
                  ["tracking steps and sleep", "heart-rate training", "swimming"],
                  variants=[V(""), V("GPS", gps=True), V("Plus", gps=False)],
                  attrs={"battery_days": [7, 10, 14], "connectivity": ["bluetooth"]},
                  closers=["Syncs wireless data to the companion app.", "Water resistant to 50 metres."],
                  colors_attr=["black", "rose", "slate"]),
            ],
        }),
    ]),
    ("garden-diy", "Garden & DIY", [
        ("garden-tools", "Garden Tools", {
            "prefix": "GRD",
            "brands": ["Greenfield", "Gartenmeister", "Thornbury", "Moss & Stone", "Ashby", "Hedgerow"],
            "adjectives": ["sturdy", "ergonomic", "long-lasting", "practical", "well-made"],
            "closers": [
                "Backed by a 10-year guarantee.",
                "Rinse and dry after use to prevent rust.",
                "Hang it up with the built-in loop.",
            ],
            "types": [
                T("Pruning Shears", ["forged steel", "stainless steel"], (14, 69),
                  ["roses and shrubs", "fruit trees", "deadheading flowers"],
                  variants=[V("Bypass", style="bypass"), V("Anvil", style="anvil")],
                  attrs={"handle": ["ash", "aluminium", "fibreglass"]}),
                T("Garden Spade", ["stainless steel", "forged steel"], (29, 89),
                  ["digging beds", "planting trees", "edging lawns"],
                  variants=[V(""), V("Border", size="border"), V("Long Handle", size="long")],
                  attrs={"handle": ["oak", "ash"]},
                  details=[" with an oak handle", " with an ash T-grip", ""]),
                T("Hose Reel", ["steel", "plastic"], (39, 149),
                  ["watering large gardens", "washing the car", "tidy storage"],
                  variants=[V("20 m", hose_length_m=20), V("30 m", hose_length_m=30), V("40 m", hose_length_m=40)],
                  attrs={"wall_mounted": [True, False]},
                  closers=["Hose and spray gun included.", "Backed by a 5-year guarantee."]),
                T("Watering Can", ["galvanised steel", "copper", "plastic"], (14, 79),
                  ["seedlings", "balcony plants", "the greenhouse"],
                  variants=[V("5 L", capacity_l=5), V("7 L", capacity_l=7), V("10 L", capacity_l=10)],
                  colors_attr=["zinc", "green", "copper"],
                  closers=["The detachable brass rose gives a gentle shower.", "Backed by a 10-year guarantee."]),
                T("Raised Garden Bed", ["larch", "cedar", "galvanised steel"], (79, 349),
                  ["growing vegetables", "patios", "gardening without bending"],
                  variants=[V("120 x 60 cm", size="120x60 cm"), V("180 x 90 cm", size="180x90 cm"), V("240 x 120 cm", size="240x120 cm")],
                  closers=["Slots together in minutes without tools.", "Line with the included membrane before filling with soil."]),
                T("Wheelbarrow", ["galvanised steel", "steel"], (69, 199),
                  ["moving soil and compost", "clearing leaves", "building projects"],
                  variants=[V("80 L", capacity_l=80), V("100 L", capacity_l=100)],
                  attrs={"tyre": ["pneumatic", "puncture-proof"]},
                  closers=["Backed by a 10-year guarantee on the tray.", "Carries up to 150 kg."]),
            ],
        }),
        ("power-tools", "Power Tools", {
            "prefix": "PWT",
            "brands": ["Voltmark", "Brennholt", "Torqon", "Hammerfell", "Kraftline", "Ridgeway"],
            "adjectives": ["powerful", "precise", "compact", "heavy-duty", "professional"],
            "closers": [
                "Supplied in a sturdy carry case.",
                "Includes a 3-year warranty on registration.",
            ],
            "types": [
                T("Cordless Drill", ["plastic"], (59, 249),
                  ["drilling into wood, steel and masonry", "assembling furniture", "weekend DIY"],
                  variants=[V("18V", voltage_v=18), V("12V", voltage_v=12), V("18V Brushless", voltage_v=18)],
                  attrs={"torque_nm": [45, 60, 85], "battery_ah": [2, 4]},
                  features=["Battery and charger sold separately.", "Part of the one-battery system."]),
                T("Impact Driver", ["plastic"], (79, 249),
                  ["driving long screws", "decking projects", "loosening stubborn bolts"],
                  variants=[V("18V", voltage_v=18), V("18V Brushless", voltage_v=18)],
                  attrs={"torque_nm": [180, 220]},
                  features=["Battery and charger sold separately.", "Part of the one-battery system."]),
                T("Circular Saw", ["aluminium", "steel"], (99, 329),
                  ["cutting sheet materials", "framing work", "decking boards"],
                  variants=[V("165 mm", blade_mm=165), V("190 mm", blade_mm=190)],
                  attrs={"wattage": [1200, 1400], "cordless": [True, False]}),
                T("Jigsaw", ["plastic", "aluminium"], (49, 199),
                  ["curved cuts in wood", "cutting worktops", "laminate flooring"],
                  variants=[V(""), V("Pendulum", pendulum=True)],
                  attrs={"wattage": [650, 800], "cordless": [True, False]}),
                T("Orbital Sander", ["plastic"], (39, 149),
                  ["refinishing oak furniture", "smoothing doors", "preparing surfaces for paint"],
                  variants=[V("125 mm", pad_mm=125), V("150 mm", pad_mm=150)],
                  attrs={"wattage": [300, 450], "dust_extraction": [True]}),
                T("Angle Grinder", ["aluminium"], (49, 179),
                  ["cutting steel and tile", "removing rust", "sharpening garden tools"],
                  variants=[V("115 mm", disc_mm=115), V("125 mm", disc_mm=125)],
                  attrs={"wattage": [750, 900, 1200], "cordless": [True, False]}),
            ],
        }),
    ]),
]

USE_OPENERS = ["Ideal for", "Designed for", "Perfect for", "Made for", "Great for", "A smart choice for"]


def lower_type(name):
    return " ".join(w if w in KEEP_CASE or w.isupper() else w.lower() for w in name.split())


def article(word):
    return "an" if word[0].lower() in "aeiou" else "a"


def pick_price(rng, lo, hi, frac):
    """Integer minor units inside [lo, hi] EUR, ending in 99, 49 or 00."""
    euros = lo + int(round((hi - lo) * frac))
    ending = rng.choices([99, 49, 0], weights=[6, 2, 2])[0]
    if ending:
        euros -= 1
    return max(euros, 1) * 100 + ending


def build_name(brand, mat_key, type_name, variant):
    parts = [brand]
    word = MATERIALS[mat_key][0]
    if word and word.lower() not in type_name.lower():
        parts.append(word)
    parts.append(type_name)
    name = " ".join(parts)
    if variant["suffix"]:
        name += variant["sep"] + variant["suffix"]
    return name


def build_description(rng, leaf, tp, mat_key, attributes):
    type_lc = lower_type(tp["name"])
    adjective = rng.choice([a for a in leaf["adjectives"] if a not in type_lc])
    phrase = MATERIALS[mat_key][1]
    detail = rng.choice(tp["details"])
    if tp["plural"] or tp["name"] in PLURAL_TYPES:
        type_lc = "pair of " + type_lc
    first = f"{article(adjective).capitalize()} {adjective} {type_lc} made from {phrase}{detail}."
    second = f"{rng.choice(USE_OPENERS)} {rng.choice(tp['uses'])}."
    sentences = [first, second]
    if attributes.get("wireless_charging"):
        sentences.append("The base doubles as a wireless charging pad for your phone.")
    elif rng.random() < 0.65:
        closers = leaf["closers"] if tp["closers"] is None else tp["closers"]
        sentences.append(rng.choice(list(closers) + list(tp["features"])))
    elif rng.random() < 0.25:
        sentences = [first]
    return " ".join(sentences)


def build_attributes(rng, tp, mat_key, variant):
    attrs = {"material": mat_key}
    for key in sorted(tp["attrs"]):
        value = rng.choice(tp["attrs"][key])
        if key == "fill_power" and mat_key != "goose down":
            continue  # fill power only describes down
        attrs[key] = value
    if tp["colors"]:
        attrs["color"] = rng.choice(tp["colors"])
    attrs.update(variant["attrs"])
    return attrs


def generate():
    rng = random.Random(SEED)
    categories = []
    leaves = []
    for top_id, top_name, children in TREE:
        categories.append({"id": top_id, "name": top_name, "parent": None})
        for leaf_id, leaf_name, leaf in children:
            categories.append({"id": leaf_id, "name": leaf_name, "parent": top_id})
            leaves.append((leaf_id, leaf))

    drafts = []
    names = set()
    for leaf_id, leaf in leaves:
        types = leaf["types"]
        for i in range(PRODUCTS_PER_LEAF):
            tp = types[i % len(types)]
            for _attempt in range(200):
                brand = rng.choice(leaf["brands"])
                mat_key = rng.choice(tp["materials"])
                v_index = rng.randrange(len(tp["variants"]))
                variant = tp["variants"][v_index]
                name = build_name(brand, mat_key, tp["name"], variant)
                if name not in names:
                    break
            else:
                raise SystemExit(f"could not find a unique name for {tp['name']} in {leaf_id}")
            names.add(name)
            attributes = build_attributes(rng, tp, mat_key, variant)
            sized = variant["sep"] == " " and len(tp["variants"]) > 1
            frac = (v_index + rng.random()) / len(tp["variants"]) if sized else rng.random()
            lo, hi = tp["price"]
            drafts.append({
                "leaf": leaf,
                "category": leaf_id,
                "name": name,
                "description": build_description(rng, leaf, tp, mat_key, attributes),
                "price_minor": pick_price(rng, lo, hi, frac),
                "attributes": attributes,
                "image_count": rng.choice([1, 1, 2, 2, 2, 3]),
            })

    rng.shuffle(drafts)
    inactive = set(rng.sample(range(len(drafts)), round(len(drafts) * INACTIVE_SHARE)))
    products = []
    for n, d in enumerate(drafts, start=1):
        sku = f"{d['leaf']['prefix']}-{n:05d}"
        products.append({
            "id": f"p-{n:05d}",
            "sku": sku,
            "name": d["name"],
            "description": d["description"],
            "category": d["category"],
            "price_minor": d["price_minor"],
            "currency": CURRENCY,
            "images": [f"/images/products/{sku}-{k}.jpg" for k in range(1, d["image_count"] + 1)],
            "attributes": d["attributes"],
            "active": (n - 1) not in inactive,
        })
    return {"currency": CURRENCY, "categories": categories, "products": products}


def validate(catalog):
    cats = catalog["categories"]
    prods = catalog["products"]
    id_re = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
    cat_ids = [c["id"] for c in cats]
    assert len(cat_ids) == len(set(cat_ids)), "duplicate category ids"
    assert all(id_re.match(c) for c in cat_ids), "category id not lowercase-hyphen ASCII"
    by_id = {c["id"]: c for c in cats}
    for c in cats:
        assert c["parent"] is None or c["parent"] in by_id, f"unknown parent {c['parent']}"
        assert c["parent"] is None or by_id[c["parent"]]["parent"] is None, "tree deeper than two levels"
    parents = {c["parent"] for c in cats if c["parent"]}
    tops = [c for c in cats if c["parent"] is None]
    leaves = {c["id"] for c in cats if c["id"] not in parents}
    assert len(cats) >= MIN_CATEGORIES, "too few categories"
    assert len(tops) >= MIN_TOP_LEVEL, "too few top-level categories"
    for t in tops:
        n_children = sum(1 for c in cats if c["parent"] == t["id"])
        assert 2 <= n_children <= 4, f"{t['id']} has {n_children} children"

    assert len(prods) >= MIN_PRODUCTS, "too few products"
    for field in ("id", "sku", "name"):
        values = [p[field] for p in prods]
        assert len(values) == len(set(values)), f"duplicate product {field}"
    expected_keys = {"id", "sku", "name", "description", "category", "price_minor",
                     "currency", "images", "attributes", "active"}
    for n, p in enumerate(prods, start=1):
        assert set(p) == expected_keys, f"{p['id']} has fields {sorted(p)}"
        assert p["id"] == f"p-{n:05d}", f"non-sequential id {p['id']}"
        assert re.match(r"^[A-Z]{3}-\d{5}$", p["sku"]), p["sku"]
        assert p["category"] in leaves, f"{p['id']} not in a leaf category"
        assert isinstance(p["price_minor"], int) and p["price_minor"] > 0, p["id"]
        assert p["price_minor"] % 100 in (99, 49, 0), p["id"]
        assert p["currency"] == CURRENCY
        assert 1 <= len(p["images"]) <= 3, p["id"]
        assert all(img == f"/images/products/{p['sku']}-{k}.jpg" for k, img in enumerate(p["images"], 1))
        assert 1 <= len(re.split(r"(?<=[.!?])\s+", p["description"])) <= 3, p["id"]
        assert p["attributes"] and isinstance(p["active"], bool), p["id"]
        assert p["name"].isascii(), p["id"]
    used = {p["category"] for p in prods}
    assert used == leaves, f"leaves without products: {sorted(leaves - used)}"
    return len(tops), len(leaves)


def main():
    catalog = generate()
    n_tops, n_leaves = validate(catalog)
    text = json.dumps(catalog, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    size = len(text.encode("utf-8"))
    assert size < 1_000_000, f"catalog.json would be {size} bytes"
    with open(OUTPUT, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    prods = catalog["products"]
    inactive = sum(1 for p in prods if not p["active"])
    prices = [p["price_minor"] for p in prods]
    print(f"catalog.json: {len(catalog['categories'])} categories ({n_tops} top-level, {n_leaves} leaf), "
          f"{len(prods)} products ({inactive} inactive), prices {min(prices)}-{max(prices)} {CURRENCY} minor units, "
          f"{size} bytes, seed {SEED}")


if __name__ == "__main__":
    sys.exit(main())
