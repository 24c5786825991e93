"""A fictional Lille–Lomme–Hellemmes data set for the demo.

Organisations, people and prices are invented; the villages and their coordinates are real
(town centres, WGS 84), so distances to the hub and the local radius are believable.
"""

from datetime import time
from decimal import Decimal as D
from typing import Any

HUB = {
    "name": "Chambre froide du Marché de gros de Lille",
    "address": "Marché d'intérêt national, avenue Pierre Mauroy, 59160 Lomme",
    "phone": "03 99 00 00 01",
    "latitude": D("50.645600"),
    "longitude": D("2.982300"),
}

VEHICLES = [
    {
        "name": "Fourgon frigorifique 20 m³",
        "capacity_kg": D("1200"),
        "cost_per_km": D("0.45"),
        "is_refrigerated": True,
        # Hired by the day from the MIN's cold-transport firm; its driver works 9 hours.
        "fixed_cost_eur": D("60.00"),
        "max_shift_min": 540,
    },
    {
        "name": "Utilitaire 12 m³",
        "capacity_kg": D("800"),
        "cost_per_km": D("0.32"),
        "is_refrigerated": False,
        # The platform's own van, driven by volunteers from 7:00 to 19:00, 6 hours at most.
        "available_from": time(7, 0),
        "available_until": time(19, 0),
        "max_shift_min": 360,
    },
]

SOCIAL_SERVICES = [
    {"name": "CCAS de Lille", "commune": "Lille"},
    {"name": "CCAS de Lomme", "commune": "Lomme"},
    {"name": "CCAS d'Hellemmes", "commune": "Hellemmes"},
]

# (name, kind, CCAS name or None, [(period start, period end, amount)])
FUNDERS = [
    (
        "CCAS de Lille",
        "ccas",
        "CCAS de Lille",
        [("2026-10-01", "2026-12-31", D("42000.00")), ("2027-01-01", "2027-03-31", D("42000.00"))],
    ),
    (
        "CCAS de Lomme",
        "ccas",
        "CCAS de Lomme",
        [("2026-10-01", "2026-12-31", D("9000.00")), ("2027-01-01", "2027-03-31", D("9000.00"))],
    ),
    (
        "CCAS d'Hellemmes",
        "ccas",
        "CCAS d'Hellemmes",
        [("2026-10-01", "2026-12-31", D("7000.00")), ("2027-01-01", "2027-03-31", D("7000.00"))],
    ),
    (
        "Ville de Lille — politique de la ville",
        "city",
        None,
        [("2026-01-01", "2026-12-31", D("25000.00"))],
    ),
    (
        "Métropole européenne de Lille",
        "metropole",
        None,
        [("2026-01-01", "2026-12-31", D("30000.00"))],
    ),
    ("Région Hauts-de-France", "region", None, [("2026-01-01", "2026-12-31", D("15000.00"))]),
    ("Fondation Nord Solidaire", "private", None, [("2026-07-01", "2027-06-30", D("5000.00"))]),
]

GROCERIES = [
    (
        "Épicerie solidaire du Faubourg de Béthune",
        "Lille",
        "12 rue de Londres, 59000 Lille",
        "50.620500",
        "3.030000",
        "09:00",
        "17:00",
    ),
    (
        "L'Escale de Wazemmes",
        "Lille",
        "40 rue des Sarrazins, 59000 Lille",
        "50.629000",
        "3.047000",
        "10:00",
        "18:00",
    ),
    (
        "Moulins Partage",
        "Lille",
        "8 rue d'Arras, 59000 Lille",
        "50.618000",
        "3.072000",
        "08:30",
        "16:30",
    ),
    (
        "Fives Solidaire",
        "Lille",
        "150 rue Pierre Legrand, 59800 Lille",
        "50.632000",
        "3.087000",
        "09:00",
        "17:30",
    ),
    (
        "Lille-Sud Entraide",
        "Lille",
        "5 rue de Marquillies, 59000 Lille",
        "50.607000",
        "3.055000",
        "09:30",
        "17:00",
    ),
    (
        "Épicerie des Bois-Blancs",
        "Lille",
        "20 rue Guillaume Tell, 59000 Lille",
        "50.638000",
        "3.030000",
        "10:00",
        "16:00",
    ),
    (
        "Épicerie solidaire du Marais",
        "Lomme",
        "3 rue du Marais, 59160 Lomme",
        "50.635000",
        "2.968000",
        "09:00",
        "17:00",
    ),
    (
        "Lomme Bourg Solidaire",
        "Lomme",
        "60 avenue de Dunkerque, 59160 Lomme",
        "50.644000",
        "2.990000",
        "08:00",
        "15:00",
    ),
    (
        "Épicerie de l'Épine",
        "Hellemmes",
        "2 place de l'Épine, 59260 Hellemmes",
        "50.632500",
        "3.118000",
        "09:00",
        "17:00",
    ),
    (
        "Dombrowski Solidaire",
        "Hellemmes",
        "17 rue Dombrowski, 59260 Hellemmes",
        "50.618500",
        "3.105000",
        "13:00",
        "19:00",
    ),
]

# Product tuple: (name, category, unit, unit weight kg, pack size, price excl. VAT, organic)
VEGETABLES = [
    ("Pommes de terre Bintje", "legumes", "kg", "1", "2.5", "1.10", False),
    ("Carottes", "legumes", "kg", "1", "1", "1.30", False),
    ("Poireaux", "legumes", "kg", "1", "1", "2.20", False),
    ("Oignons jaunes", "legumes", "kg", "1", "1", "1.60", False),
    ("Chou vert", "legumes", "piece", "1.2", "1", "1.80", False),
    ("Laitue", "legumes", "piece", "0.4", "1", "0.95", False),
    ("Betteraves cuites", "legumes", "kg", "1", "0.5", "2.60", False),
    ("Navets", "legumes", "kg", "1", "1", "1.90", False),
]

PRODUCERS: list[dict[str, Any]] = [
    {
        "name": "Ferme du Marais de Wavrin",
        "commune": "Wavrin",
        "latitude": "50.573500",
        "longitude": "2.935600",
        "siret": "81234567800011",
        "is_organic": False,
        "products": VEGETABLES,
    },
    {
        "name": "Vergers de Fromelles",
        "commune": "Fromelles",
        "latitude": "50.606100",
        "longitude": "2.853900",
        "siret": "81234567800029",
        "is_organic": False,
        "products": [
            ("Pommes Jonagold", "fruits", "kg", "1", "1", "1.90", False),
            ("Pommes Boskoop", "fruits", "kg", "1", "1", "2.10", False),
            ("Poires Conférence", "fruits", "kg", "1", "1", "2.40", False),
            ("Jus de pomme 1 L", "boissons", "litre", "1.05", "6", "1.80", False),
            ("Compote pomme 500 g", "epicerie", "piece", "0.55", "1", "2.30", False),
            ("Cidre fermier 75 cl", "boissons", "piece", "1.2", "1", "3.20", False),
            ("Pommes Reinette grise", "fruits", "kg", "1", "1", "2.30", False),
        ],
    },
    {
        "name": "Chicons d'Ennetières",
        "commune": "Ennetières-en-Weppes",
        "latitude": "50.636300",
        "longitude": "2.939500",
        "siret": "81234567800037",
        "is_organic": False,
        "products": [
            ("Endives (chicons)", "legumes", "kg", "1", "1", "2.90", False),
            ("Endives de pleine terre", "legumes", "kg", "1", "1", "4.20", False),
            ("Pleurotes", "legumes", "kg", "1", "0.5", "8.50", False),
            ("Champignons de Paris", "legumes", "kg", "1", "0.5", "5.40", False),
            ("Mâche", "legumes", "kg", "1", "0.25", "9.80", False),
            ("Radis roses (botte)", "legumes", "piece", "0.25", "1", "1.10", False),
            ("Persil plat (botte)", "legumes", "piece", "0.1", "1", "0.90", False),
        ],
    },
    {
        "name": "Laiterie de la Pévèle",
        "commune": "Templeuve-en-Pévèle",
        "latitude": "50.528300",
        "longitude": "3.174700",
        "siret": "81234567800045",
        "is_organic": False,
        "products": [
            ("Lait demi-écrémé 1 L", "laitier", "litre", "1.03", "6", "0.95", False),
            ("Lait entier 1 L", "laitier", "litre", "1.03", "6", "1.05", False),
            ("Yaourts nature (4 × 125 g)", "laitier", "piece", "0.5", "1", "1.60", False),
            ("Fromage blanc 500 g", "laitier", "piece", "0.5", "1", "2.10", False),
            ("Beurre doux 250 g", "laitier", "piece", "0.25", "1", "2.60", False),
            ("Crème fraîche 20 cl", "laitier", "piece", "0.2", "1", "1.70", False),
            ("Yaourts aux fruits (4 × 125 g)", "laitier", "piece", "0.5", "1", "1.95", False),
            ("Riz au lait 4 × 100 g", "laitier", "piece", "0.4", "1", "2.40", False),
        ],
    },
    {
        "name": "Fromagerie de l'Avesnois",
        "commune": "Maroilles",
        "latitude": "50.135500",
        "longitude": "3.760600",
        "siret": "81234567800052",
        "is_organic": False,
        "products": [
            ("Maroilles AOP 750 g", "laitier", "piece", "0.75", "1", "9.80", False),
            ("Mignon de Maroilles 360 g", "laitier", "piece", "0.36", "1", "5.20", False),
            ("Boulette d'Avesnes", "laitier", "piece", "0.2", "1", "3.90", False),
            ("Vieux-Lille 350 g", "laitier", "piece", "0.35", "1", "5.60", False),
            ("Tomme de l'Avesnois", "laitier", "kg", "1", "0.5", "16.50", False),
            ("Dauphin 200 g", "laitier", "piece", "0.2", "1", "4.10", False),
        ],
    },
    {
        "name": "Volailles de Bouvines",
        "commune": "Bouvines",
        "latitude": "50.579400",
        "longitude": "3.188600",
        "siret": "81234567800060",
        "is_organic": False,
        "products": [
            ("Poulet fermier entier", "viande", "piece", "1.8", "1", "11.50", False),
            ("Cuisses de poulet", "viande", "kg", "1", "0.5", "7.90", False),
            ("Filets de poulet", "viande", "kg", "1", "0.5", "13.50", False),
            ("Pintade fermière", "viande", "piece", "1.4", "1", "13.90", False),
            ("Saucisses de volaille", "viande", "kg", "1", "0.5", "10.20", False),
            ("Ailes de poulet", "viande", "kg", "1", "1", "5.60", False),
        ],
    },
    {
        "name": "Œufs du Mélantois",
        "commune": "Sainghin-en-Mélantois",
        "latitude": "50.588300",
        "longitude": "3.164800",
        "siret": "81234567800078",
        "is_organic": True,
        "products": [
            ("Œufs bio (boîte de 6)", "oeufs", "piece", "0.38", "1", "2.30", True),
            ("Œufs bio (boîte de 12)", "oeufs", "piece", "0.75", "1", "4.40", True),
            ("Œufs plein air (plateau de 30)", "oeufs", "piece", "1.9", "1", "7.90", False),
            ("Œufs extra-frais (boîte de 6)", "oeufs", "piece", "0.38", "1", "2.10", False),
            ("Œufs de cane (boîte de 4)", "oeufs", "piece", "0.32", "1", "3.40", False),
            ("Œufs bio calibre moyen (boîte de 10)", "oeufs", "piece", "0.6", "1", "3.60", True),
        ],
    },
    {
        "name": "Le Fournil de Bondues",
        "commune": "Bondues",
        "latitude": "50.701900",
        "longitude": "3.094800",
        "siret": "81234567800086",
        "is_organic": False,
        "products": [
            ("Pain de campagne 800 g", "boulangerie", "piece", "0.8", "1", "3.40", False),
            ("Baguette tradition", "boulangerie", "piece", "0.25", "1", "1.05", False),
            ("Pain complet 500 g", "boulangerie", "piece", "0.5", "1", "2.60", False),
            ("Brioche 400 g", "boulangerie", "piece", "0.4", "1", "3.90", False),
            ("Pain d'épices 300 g", "boulangerie", "piece", "0.3", "1", "3.20", False),
            ("Pain aux céréales 500 g", "boulangerie", "piece", "0.5", "1", "2.90", False),
            ("Cramique 500 g", "boulangerie", "piece", "0.5", "1", "4.20", False),
        ],
    },
    {
        "name": "Jardins bio de Houplines",
        "commune": "Houplines",
        "latitude": "50.693800",
        "longitude": "2.914700",
        "siret": "81234567800094",
        "is_organic": True,
        "products": [
            ("Tomates bio", "legumes", "kg", "1", "1", "3.80", True),
            ("Courgettes bio", "legumes", "kg", "1", "1", "2.90", True),
            ("Haricots verts bio", "legumes", "kg", "1", "0.5", "6.40", True),
            ("Épinards bio", "legumes", "kg", "1", "0.5", "5.20", True),
            ("Radis bio (botte)", "legumes", "piece", "0.25", "1", "1.40", True),
            ("Salade batavia bio", "legumes", "piece", "0.4", "1", "1.30", True),
            ("Concombre bio", "legumes", "piece", "0.4", "1", "1.20", True),
            ("Poivrons bio", "legumes", "kg", "1", "0.5", "5.80", True),
        ],
    },
    {
        "name": "Ferme de la Lys",
        "commune": "Sailly-sur-la-Lys",
        "latitude": "50.655000",
        "longitude": "2.770000",
        "siret": "81234567800102",
        "is_organic": False,
        "products": [
            ("Steak haché de bœuf (4 × 100 g)", "viande", "piece", "0.4", "1", "5.90", False),
            ("Bœuf bourguignon", "viande", "kg", "1", "0.5", "14.50", False),
            ("Rôti de porc", "viande", "kg", "1", "0.5", "11.80", False),
            ("Côtes de porc", "viande", "kg", "1", "0.5", "9.60", False),
            ("Saucisses de Toulouse", "viande", "kg", "1", "0.5", "10.40", False),
            ("Potjevleesch 500 g", "viande", "piece", "0.5", "1", "8.90", False),
            ("Carbonade flamande 800 g", "viande", "piece", "0.8", "1", "11.20", False),
        ],
    },
    {
        "name": "Moulin de Cassel",
        "commune": "Cassel",
        "latitude": "50.800600",
        "longitude": "2.485600",
        "siret": "81234567800110",
        "is_organic": True,
        "products": [
            ("Farine de blé T65 bio 1 kg", "epicerie", "piece", "1", "1", "2.10", True),
            ("Farine de blé T80 bio 1 kg", "epicerie", "piece", "1", "1", "2.30", True),
            ("Pâtes fermières 500 g", "epicerie", "piece", "0.5", "1", "2.80", True),
            ("Flageolets 500 g", "epicerie", "piece", "0.5", "1", "2.60", False),
            ("Lentilles vertes 500 g", "epicerie", "piece", "0.5", "1", "2.90", True),
            ("Flocons d'avoine 500 g", "epicerie", "piece", "0.5", "1", "2.40", True),
            ("Pois cassés 500 g", "epicerie", "piece", "0.5", "1", "2.20", False),
        ],
    },
    {
        "name": "Jus et sirops des Flandres",
        "commune": "Steenvoorde",
        "latitude": "50.809700",
        "longitude": "2.583900",
        "siret": "81234567800128",
        "is_organic": False,
        "products": [
            ("Jus de pomme trouble 1 L", "boissons", "litre", "1.05", "6", "1.90", False),
            ("Jus pomme-rhubarbe 1 L", "boissons", "litre", "1.05", "6", "2.40", False),
            ("Sirop de fraise 50 cl", "boissons", "piece", "0.7", "1", "4.10", False),
            ("Jus de poire 1 L", "boissons", "litre", "1.05", "6", "2.20", False),
            ("Limonade artisanale 75 cl", "boissons", "piece", "1.1", "1", "2.60", False),
            ("Nectar de pomme-cassis 1 L", "boissons", "litre", "1.05", "6", "2.50", False),
        ],
    },
    {
        "name": "Pêcheurs de la Côte d'Opale",
        "commune": "Boulogne-sur-Mer",
        "latitude": "50.726400",
        "longitude": "1.614700",
        "siret": "81234567800136",
        "is_organic": False,
        "products": [
            ("Filets de merlan", "poisson", "kg", "1", "0.5", "12.90", False),
            ("Harengs fumés", "poisson", "kg", "1", "0.5", "10.50", False),
            ("Maquereaux entiers", "poisson", "kg", "1", "1", "6.80", False),
            ("Moules de bouchot", "poisson", "kg", "1", "1", "4.20", False),
            ("Filets de lieu noir", "poisson", "kg", "1", "0.5", "11.40", False),
            ("Rillettes de maquereau 180 g", "poisson", "piece", "0.18", "1", "3.60", False),
        ],
    },
    {
        "name": "Ferme bio de la Pévèle",
        "commune": "Orchies",
        "latitude": "50.473900",
        "longitude": "3.242800",
        "siret": "81234567800144",
        "is_organic": True,
        "products": [
            ("Potimarron bio", "legumes", "piece", "1.2", "1", "2.40", True),
            ("Courge butternut bio", "legumes", "piece", "1.3", "1", "2.60", True),
            ("Carottes bio", "legumes", "kg", "1", "1", "1.90", True),
            ("Pommes de terre bio", "legumes", "kg", "1", "2.5", "1.70", True),
            ("Oignons bio", "legumes", "kg", "1", "1", "2.40", True),
            ("Céleri-rave bio", "legumes", "piece", "0.9", "1", "2.20", True),
            ("Panais bio", "legumes", "kg", "1", "0.5", "3.60", True),
        ],
    },
    {
        "name": "Miellerie de Phalempin",
        "commune": "Phalempin",
        "latitude": "50.516400",
        "longitude": "3.016400",
        "siret": "81234567800151",
        "is_organic": False,
        "products": [
            ("Miel de fleurs 500 g", "epicerie", "piece", "0.6", "1", "7.20", False),
            ("Miel de tilleul 250 g", "epicerie", "piece", "0.32", "1", "4.80", False),
            ("Pain d'épices au miel 250 g", "boulangerie", "piece", "0.25", "1", "3.90", False),
            ("Nonnettes au miel (6)", "boulangerie", "piece", "0.2", "1", "3.30", False),
            ("Bonbons au miel 150 g", "epicerie", "piece", "0.15", "1", "2.70", False),
            ("Miel crémeux 500 g", "epicerie", "piece", "0.6", "1", "6.90", False),
        ],
    },
    {
        "name": "Ferme du Plateau de Fretin",
        "commune": "Fretin",
        "latitude": "50.558700",
        "longitude": "3.134600",
        "siret": "81234567800169",
        "is_organic": False,
        "products": [
            ("Huile de colza 1 L", "epicerie", "litre", "0.92", "1", "3.80", False),
            ("Pommes de terre Charlotte", "legumes", "kg", "1", "2.5", "1.40", False),
            ("Lentilles blondes 1 kg", "epicerie", "piece", "1", "1", "3.90", False),
            ("Haricots blancs 1 kg", "epicerie", "piece", "1", "1", "3.60", False),
            ("Choux de Bruxelles", "legumes", "kg", "1", "0.5", "3.10", False),
            ("Chou-fleur", "legumes", "piece", "1", "1", "2.20", False),
        ],
    },
    {
        "name": "Fraiseraie de Clairmarais",
        "commune": "Clairmarais",
        "latitude": "50.770000",
        "longitude": "2.303000",
        "siret": "81234567800177",
        "is_organic": False,
        "products": [
            ("Confiture de fraise 370 g", "epicerie", "piece", "0.5", "1", "3.90", False),
            ("Confiture de rhubarbe 370 g", "epicerie", "piece", "0.5", "1", "3.70", False),
            ("Rhubarbe", "fruits", "kg", "1", "1", "3.20", False),
            ("Coulis de fruits rouges 25 cl", "epicerie", "piece", "0.3", "1", "3.10", False),
            ("Framboises surgelées 500 g", "fruits", "piece", "0.5", "1", "5.90", False),
            ("Cassis surgelé 500 g", "fruits", "piece", "0.5", "1", "4.90", False),
        ],
    },
    {
        "name": "Chèvrerie de Linselles",
        "commune": "Linselles",
        "latitude": "50.736500",
        "longitude": "3.078000",
        "siret": "81234567800185",
        "is_organic": True,
        "products": [
            ("Bûche de chèvre 180 g", "laitier", "piece", "0.18", "1", "3.90", True),
            ("Crottin de chèvre", "laitier", "piece", "0.09", "2", "1.60", True),
            ("Lait de chèvre 1 L", "laitier", "litre", "1.03", "1", "2.40", True),
            ("Yaourt de chèvre (2 × 125 g)", "laitier", "piece", "0.25", "1", "1.90", True),
            ("Tomme de chèvre", "laitier", "kg", "1", "0.5", "22.00", True),
            ("Faisselle de chèvre", "laitier", "piece", "0.4", "1", "2.80", True),
        ],
    },
]

# (username, role, organisation name or None for the platform)
LOGINS = [
    ("coordination", "coordinator", None),
    ("benevole.fives", "grocery_volunteer", "Fives Solidaire"),
    ("benevole.epine", "grocery_volunteer", "Épicerie de l'Épine"),
    ("producteur.wavrin", "producer", "Ferme du Marais de Wavrin"),
    ("producteur.fromelles", "producer", "Vergers de Fromelles"),
    ("producteur.ennetieres", "producer", "Chicons d'Ennetières"),
    ("producteur.pevele", "producer", "Laiterie de la Pévèle"),
    ("producteur.avesnois", "producer", "Fromagerie de l'Avesnois"),
    ("producteur.bouvines", "producer", "Volailles de Bouvines"),
    ("producteur.melantois", "producer", "Œufs du Mélantois"),
    ("producteur.bondues", "producer", "Le Fournil de Bondues"),
    ("producteur.houplines", "producer", "Jardins bio de Houplines"),
    ("producteur.lys", "producer", "Ferme de la Lys"),
    ("producteur.cassel", "producer", "Moulin de Cassel"),
    ("producteur.flandres", "producer", "Jus et sirops des Flandres"),
    ("producteur.opale", "producer", "Pêcheurs de la Côte d'Opale"),
    ("producteur.biopevele", "producer", "Ferme bio de la Pévèle"),
    ("producteur.phalempin", "producer", "Miellerie de Phalempin"),
    ("producteur.fretin", "producer", "Ferme du Plateau de Fretin"),
    ("producteur.clairmarais", "producer", "Fraiseraie de Clairmarais"),
    ("producteur.linselles", "producer", "Chèvrerie de Linselles"),
    ("ccas.lille", "ccas_staff", "CCAS de Lille"),
    ("ccas.lomme", "ccas_staff", "CCAS de Lomme"),
    ("ccas.hellemmes", "ccas_staff", "CCAS d'Hellemmes"),
    ("elu.lille", "official", "Ville de Lille"),
]
# (CCAS, pickup grocery, adults, children, tier)
HOUSEHOLDS = [
    ("CCAS de Lille", "Fives Solidaire", 1, 2, "T1"),
    ("CCAS de Lille", "Fives Solidaire", 2, 3, "T2"),
    ("CCAS de Lille", "Fives Solidaire", 1, 0, "T1"),
    ("CCAS de Lille", "Moulins Partage", 2, 1, "T3"),
    ("CCAS de Lille", "Lille-Sud Entraide", 1, 1, "T2"),
    ("CCAS de Lille", "L'Escale de Wazemmes", 2, 0, "T1"),
    ("CCAS de Lomme", "Épicerie solidaire du Marais", 1, 3, "T1"),
    ("CCAS de Lomme", "Lomme Bourg Solidaire", 2, 2, "T2"),
    ("CCAS d'Hellemmes", "Épicerie de l'Épine", 1, 1, "T1"),
    ("CCAS d'Hellemmes", "Épicerie de l'Épine", 2, 4, "T2"),
    ("CCAS d'Hellemmes", "Dombrowski Solidaire", 1, 0, "T3"),
]
DEMO_PASSWORD = "Solidaire-Demo-2026"
# The demo's accounts have addresses on this reserved domain (demo.checks finds them by it).
DEMO_EMAIL_DOMAIN = "demo.appro-solidaire.invalid"
CITY = {"name": "Ville de Lille", "commune": "Lille"}


def hour(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def phone(number: int) -> str:
    """A telephone number of the range ARCEP keeps for fiction (03 99 00 00 00 – 03 99 99
    99 99): the demo's places can be called on paper, nobody real answers."""
    return f"03 99 00 {number // 100:02d} {number % 100:02d}"


# A caisse alimentaire commune (DESIGN.md §14): the Lille households are members, each
# with its monthly contribution (in the order of HOUSEHOLDS); the committee approved two
# producers and one product, and has a proposal still open.
CAISSE: dict[str, Any] = {
    "name": "Caisse alimentaire commune de Lille",
    "contribution_min": D("1.00"),
    "contribution_max": D("150.00"),
    "allocation_per_member": D("100.00"),
    "quorum": 3,
    "social_services": ["CCAS de Lille"],
    "funders": ["CCAS de Lille", "Ville de Lille — politique de la ville"],
    "committee": ["Aïcha Benali", "Jean-Marc Delattre", "Louise Plouvier", "Samir Kaci"],
    "contributions": [D("10.00"), D("40.00"), D("5.00"), D("25.00"), D("60.00"), D("15.00")],
    "approved_producers": [
        ("Ferme du Marais de Wavrin", "Maraîchage à 15 km, sans pesticides de synthèse."),
        ("Vergers de Fromelles", "Verger en conversion bio, vente directe."),
    ],
    "approved_product": ("Laiterie de la Pévèle", "Lait de pâturage, prix payé au producteur."),
    "open_producer": ("Chicons d'Ennetières", "Culture en terre, à 12 km de la plateforme."),
}
