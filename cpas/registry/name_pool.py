"""The pools the fictitious persons are drawn from: localities, streets, names by origin.

Names come with their usual spelling variants (Dupont / Dupond, Peeters / Peters…), most
frequent first, so that the phonetic search of the local register has something to find.
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate

from .phonetic import phonetic_key

#: The register a person is in, their place in the household, their civil state.
POPULATION = "Registre de la population"
FOREIGNERS = "Registre des étrangers"

HEAD, SPOUSE, LEGAL_COHABITANT = "Chef de ménage", "Conjoint", "Cohabitant légal"
CHILD, ASCENDANT, OTHER = "Enfant", "Ascendant", "Autre"
SINGLE, MARRIED, DIVORCED, WIDOWED = "Célibataire", "Marié(e)", "Divorcé(e)", "Veuf(ve)"


# --------------------------------------------------------------------------- addresses

#: (postal code, locality, region): B = Brussels, W = Wallonia, F = Flanders.
LOCALITIES = (
    ("1000", "Bruxelles", "B"), ("1030", "Schaerbeek", "B"), ("1050", "Ixelles", "B"),
    ("1060", "Saint-Gilles", "B"), ("1070", "Anderlecht", "B"),
    ("1080", "Molenbeek-Saint-Jean", "B"), ("1140", "Evere", "B"), ("1180", "Uccle", "B"),
    ("1190", "Forest", "B"), ("1200", "Woluwe-Saint-Lambert", "B"),
    ("1300", "Wavre", "W"), ("1348", "Louvain-la-Neuve", "W"), ("1400", "Nivelles", "W"),
    ("4000", "Liège", "W"), ("4020", "Liège", "W"), ("4100", "Seraing", "W"),
    ("4300", "Waremme", "W"), ("4500", "Huy", "W"), ("4700", "Eupen", "W"),
    ("4800", "Verviers", "W"), ("5000", "Namur", "W"), ("5500", "Dinant", "W"),
    ("6000", "Charleroi", "W"), ("6700", "Arlon", "W"), ("6900", "Marche-en-Famenne", "W"),
    ("7000", "Mons", "W"), ("7100", "La Louvière", "W"), ("7500", "Tournai", "W"),
    ("1500", "Halle", "F"), ("1800", "Vilvoorde", "F"), ("2000", "Antwerpen", "F"),
    ("2800", "Mechelen", "F"), ("3000", "Leuven", "F"), ("3500", "Hasselt", "F"),
    ("3600", "Genk", "F"), ("8000", "Brugge", "F"), ("8400", "Oostende", "F"),
    ("8500", "Kortrijk", "F"), ("9000", "Gent", "F"), ("9100", "Sint-Niklaas", "F"),
    ("9300", "Aalst", "F"),
)  # fmt: skip

STREETS = {
    "B": (
        "Rue Royale", "Avenue Louise", "Chaussée d'Ixelles", "Rue Haute", "Rue de Flandre",
        "Chaussée de Gand", "Avenue de la Couronne", "Rue Gray", "Chaussée de Haecht",
        "Rue du Midi", "Boulevard Lambermont", "Rue Vanderkindere", "Avenue Brugmann",
        "Rue de Brabant", "Chaussée de Mons",
    ),
    "W": (
        "Rue de la Station", "Rue de l'Église", "Rue du Moulin", "Avenue des Tilleuls",
        "Chaussée de Bruxelles", "Rue Haute", "Rue des Écoles", "Place communale",
        "Rue Saint-Martin", "Rue de la Paix", "Rue Albert Ier", "Rue des Prés", "Rue Grande",
        "Rue du Centre", "Rue de Fragnée", "Rue Saint-Gilles", "Rue des Houilleurs",
        "Rue de la Meuse", "Avenue Reine Astrid", "Rue du Pont",
    ),
    "F": (
        "Kerkstraat", "Stationsstraat", "Dorpsstraat", "Molenstraat", "Nieuwstraat",
        "Schoolstraat", "Beekstraat", "Kapelstraat", "Veldstraat", "Markt", "Lindenlaan",
        "Bergstraat", "Hoogstraat", "Kortrijksesteenweg", "Brusselsesteenweg",
    ),
}  # fmt: skip

# --------------------------------------------------------------------------- names


def _names(text: str) -> tuple[str, ...]:
    """A comma-separated list of names, most frequent first."""
    return tuple(name.strip() for name in text.split(",") if name.strip())


@dataclass(frozen=True)
class Culture:
    """Names, nationality and places of birth of a household's origin."""

    weight: int
    surnames: tuple[str, ...]  # most frequent first
    men: tuple[str, ...]
    women: tuple[str, ...]
    nationality: str
    foreign_share: float  # share of heads with that (non-Belgian) nationality
    birth_places: tuple[str, ...]  # abroad
    regions: str  # regions its households live in (letters drawn at random)


WALLOON = Culture(
    weight=50,
    surnames=_names(
        """Dubois, Lambert, Dupont, Martin, Simon, Laurent, Leclercq, Lejeune, Renard, Lefèvre,
        Dupond, Lefebvre, Michel, François, Dumont, Leroy, Denis, Collin, Gérard, Fontaine,
        Henry, Mathieu, Thomas, Dubuisson, Hubert, Petit, Lemaire, Masson, Noël, Charlier,
        Bertrand, Marchal, Goffin, Delvaux, Hennaut, Hénault, Poncelet, Piron, Lecocq, Baudoux,
        Degueldre, Servais, Colson, Gilson, Dethier, Schmitt, Schmit, Philippe, Dupuis,
        Leblanc, Delhaye, Lecomte, Bodart, Moreau, Lallemand, Gillet, Guillaume, Matthieu,
        Lefevre, Jacquet, Wauters, Mertens, Jacobs, Lemoine, Georges, Hardy, Bastin, Close,
        Defays, Detry, Docquier, Evrard, Francotte, Gaspard, Grandjean, Herman, Jadot, Jamar,
        Lacroix, Lambotte, Léonard, Louis, Marchand, Massart, Maréchal, Mathy, Mouton,
        Nicolas, Pirard, Pirotte, Rousseau, Stassen, Thiry, Warnier, Wilmotte, Closset,
        Dessart, Dewez, Hanquet, Kinet, Lhoest, Magis, Navez, Renier, Roland, Sépulchre,
        Toussaint, Vanderheyden, Delcourt, Deprez, Gobert, Hallet, Jacques, Laloux,
        Lardinois, Lemaître, Maquet, Paquet, Pierre, Remy, Robert, Romain, Leclerc""",
    ),
    men=_names(
        """Jean, Pierre, Michel, Philippe, Marc, Luc, André, Jacques, Paul, Alain, Eric,
        Patrick, Christian, Daniel, Thomas, Nicolas, Julien, Maxime, Louis, Lucas, Noah,
        Arthur, Hugo, Mathieu, Matthieu, François, Guy, Claude, Benoît, Olivier, Didier,
        Vincent, Xavier, Sébastien, Kevin, Jonathan, Antoine, Romain, Victor, Jules, Adam,
        Théo, Nathan, Gabriel, Jean-Marie"""
    ),
    women=_names(
        """Marie, Anne, Christine, Isabelle, Nathalie, Catherine, Sylvie, Martine, Monique,
        Françoise, Chantal, Véronique, Sophie, Julie, Sarah, Laura, Camille, Emma, Louise,
        Léa, Chloé, Manon, Céline, Aurélie, Élise, Jeanne, Lucie, Alice, Juliette, Mathilde,
        Nicole, Jacqueline, Simone, Denise, Yvonne, Germaine, Madeleine, Josiane, Anne-Marie"""
    ),
    nationality="Belge",
    foreign_share=0.0,
    birth_places=(),
    regions="BBWWWWW",
)
FLEMISH = Culture(
    weight=30,
    surnames=_names(
        """Peeters, Janssens, Maes, Jacobs, Mertens, Willems, Claes, Goossens, Wouters,
        De Smet, Peters, Jansen, Janssen, De Meyer, Hermans, Van Damme, Van de Velde,
        Vermeulen, Van den Broeck, Aerts, Desmet, Smets, Declercq, Verstraete, Michiels,
        De Backer, Van Dijck, Stevens, Pauwels, Gossens, Segers, Claeys, Vermeiren, Coppens,
        De Vos, Martens, Maertens, Verhoeven, Cools, Lemmens, Van Acker, Vandenberghe,
        De Clercq, Bogaerts, Wuyts, Hendrickx, Vandyck, Van Dyck, Van Hecke, Verbruggen,
        Dewulf, De Wilde, Dierckx, Geerts, Huysmans, Lambrechts, Nijs, Op de Beeck, Thys,
        Van Aelst, Van Camp, Vanhove, Verbeke, Vercammen, Verlinden, Vervoort, Willaert, Baert,
        Bauwens, Boonen, Bosmans, Buysse, De Coninck, De Cock, De Groote, De Pauw, De Ridder,
        Deckers, Dewaele, Engelen, Gielen, Heylen, Kerckhofs, Leemans, Luyten, Mortier, Nuyts,
        Raes, Roels, Schepens, Smeets, Timmermans, Van Hoof, Vanderlinden, Verheyen,
        Vermeersch"""
    ),
    men=_names(
        """Jan, Peter, Dirk, Koen, Wim, Bart, Tom, Pieter, Jef, Joris, Stijn, Wouter, Jens,
        Lars, Seppe, Ruben, Lucas, Louis, Arne, Kobe, Willem, Filip, Luc, Marc, Geert, Frank,
        Johan"""
    ),
    women=_names(
        """An, Els, Katrien, Griet, Hilde, Linda, Marleen, Sofie, Lien, Lotte, Fien, Lore,
        Nele, Anke, Ine, Marieke, Hanne, Emma, Noor, Mila, Maria, Annemie, Rita"""
    ),
    nationality="Belge",
    foreign_share=0.0,
    birth_places=(),
    regions="FFFFFFFFB",
)
MOROCCAN = Culture(
    weight=7,
    surnames=_names(
        """El Amrani, Benali, El Idrissi, Bouzid, Amrani, Haddou, El Ouali, Ziani, Boukhari,
        El Khattabi, Azzouzi, Ben Ahmed, Bennani, El Fassi, Tahiri, Ouazzani, Chaouki,
        El Moussaoui, Bakkali, Achahbar"""
    ),
    men=_names("Ahmed, Mohamed, Mohammed, Youssef, Karim, Rachid, Hamza, Ayoub, Bilal, Ilyas"),
    women=_names("Fatima, Khadija, Samira, Nadia, Salma, Yasmina, Imane, Nora, Amina, Malika"),
    nationality="Marocaine",
    foreign_share=0.35,
    birth_places=_names("Casablanca, Tanger, Nador, Oujda, Rabat, Tétouan"),
    regions="BBBWWF",
)
TURKISH = Culture(
    weight=3,
    surnames=_names("Yilmaz, Kaya, Demir, Şahin, Çelik, Öztürk, Aydin, Arslan, Doğan, Koç"),
    men=_names("Mehmet, Mustafa, Emre, Burak, Ali, Murat, Hasan, Yusuf"),
    women=_names("Ayşe, Elif, Zeynep, Fatma, Emine, Hatice, Merve"),
    nationality="Turque",
    foreign_share=0.3,
    birth_places=_names("Istanbul, Ankara, Emirdağ, Kayseri, Konya"),
    regions="BBWWF",
)
ITALIAN = Culture(
    weight=4,
    surnames=_names(
        "Rossi, Russo, Esposito, Romano, Colombo, Bruno, Ricci, Greco, Lombardo, Di Marco"
    ),
    men=_names("Giuseppe, Antonio, Salvatore, Marco, Luca, Giovanni, Angelo, Vito"),
    women=_names("Maria, Giulia, Francesca, Anna, Rosa, Carmela, Giuseppina"),
    nationality="Italienne",
    foreign_share=0.4,
    birth_places=_names("Palerme, Naples, Agrigente, Bari, Catane"),
    regions="WWWWB",
)
CONGOLESE = Culture(
    weight=2,
    surnames=_names("Mbuyi, Kabasele, Tshibanda, Ilunga, Kalonji, Mukendi, Lukusa, Kabongo"),
    men=_names("Jean-Pierre, Patrick, Christian, Junior, Glody, Trésor, Dieudonné"),
    women=_names("Grâce, Merveille, Espérance, Divine, Nadège, Gloria, Bénédicte"),
    nationality="Congolaise (RDC)",
    foreign_share=0.5,
    birth_places=_names("Kinshasa, Lubumbashi, Mbuji-Mayi, Kisangani"),
    regions="BBBW",
)
EASTERN = Culture(
    weight=2,
    surnames=_names("Nowak, Kowalski, Popescu, Ionescu, Wiśniewski, Popa, Kaczmarek"),
    men=_names("Piotr, Andrzej, Ion, Mihai, Tomasz, Adrian, Marcin"),
    women=_names("Anna, Ewa, Maria, Elena, Ioana, Katarzyna, Andreea"),
    nationality="Roumaine",
    foreign_share=0.8,
    birth_places=_names("Bucarest, Iași, Varsovie, Cracovie, Cluj-Napoca"),
    regions="BBBWF",
)
FRENCH = Culture(
    weight=2,
    surnames=_names("Bernard, Girard, Roux, Fournier, Morel, Dupuis, Martin, Durand"),
    men=_names("Pierre, Nicolas, Julien, Thomas, Antoine, Guillaume"),
    women=_names("Marie, Camille, Émilie, Pauline, Claire, Céline"),
    nationality="Française",
    foreign_share=0.7,
    birth_places=_names("Lille, Paris, Valenciennes, Reims, Metz, Maubeuge"),
    regions="WWWB",
)

CULTURES = (WALLOON, FLEMISH, MOROCCAN, TURKISH, ITALIAN, CONGOLESE, EASTERN, FRENCH)

#: Household sizes 1..6 (Belgian households average about 2.3 persons).
SIZE_WEIGHTS = (34, 31, 15, 12, 5, 3)


def _zipf(names: tuple[str, ...], flatness: int) -> list[float]:
    """Cumulative weights: the first names of a list are the most frequent."""
    return list(accumulate(1 / (rank + flatness) for rank in range(len(names))))


class Picker:
    """Weighted choices with precomputed cumulative weights (fast in the inner loop)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.cultures = list(accumulate(c.weight for c in CULTURES))
        self.sizes = list(accumulate(SIZE_WEIGHTS))
        # Surnames are spread out (the most frequent is about 1 % of the register, as
        # Peeters in Belgium); first names are more concentrated.
        self.weights: dict[int, list[float]] = {}
        for c in CULTURES:
            self.weights[id(c.surnames)] = _zipf(c.surnames, 30)
            self.weights[id(c.men)] = _zipf(c.men, 6)
            self.weights[id(c.women)] = _zipf(c.women, 6)
        self.localities = {
            region: [loc for loc in LOCALITIES if loc[2] == region] for region in "BWF"
        }

    def weighted(self, seq: tuple[str, ...]) -> str:
        cum = self.weights[id(seq)]
        return seq[bisect(cum, self.rng.random() * cum[-1])]

    def culture(self) -> Culture:
        return CULTURES[bisect(self.cultures, self.rng.random() * self.cultures[-1])]

    def size(self) -> int:
        return bisect(self.sizes, self.rng.random() * self.sizes[-1]) + 1


_KEYS: dict[str, str] = {}


def cached_key(name: str) -> str:
    """The phonetic key of a name, computed once per name (the inner loop asks often)."""
    key = _KEYS.get(name)
    if key is None:
        key = _KEYS[name] = phonetic_key(name)
    return key
