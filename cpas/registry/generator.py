"""Fictitious persons for the local register: coherent households at Belgian addresses.

``generate_persons(count)`` adds ``count`` persons (``flask register generate``, the demo
and the benchmarks call it). A household is 1 to 6 persons at one legal address: a head
(« Chef de ménage »), maybe a partner of similar age (« Conjoint », married, or
« Cohabitant légal »), children 18 to 40 years younger than the head with the head's
surname (« Enfant »), sometimes an ascendant (« Ascendant ») or another person (« Autre »).
Surnames and first names come with their usual spelling variants (Dupont / Dupond,
Peeters / Peters…) so that the phonetic search has something to find.

NISS numbers are valid (odd serial for men, even for women) and never collide: each batch
is checked against the table (one indexed ``IN`` query) before it is inserted, so memory
stays flat at a million rows. Batches are bulk-inserted and committed one by one. With a
seed (and a fixed ``today``) the output is deterministic.

``ensure_demo_people()`` adds the few fixed persons the demo and the README talk about.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import accumulate

from sqlalchemy import func, insert, select

from ..extensions import db
from ..timeutil import utcnow
from .models import RegisterPerson
from .numbers import niss_for, serials_for
from .phonetic import phonetic_key

POPULATION = "Registre de la population"
FOREIGNERS = "Registre des étrangers"
EARLIEST_BIRTH = date(1925, 1, 1)
YEAR = 365.25

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


class _Picker:
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


def _key(name: str) -> str:
    key = _KEYS.get(name)
    if key is None:
        key = _KEYS[name] = phonetic_key(name)
    return key


# --------------------------------------------------------------------------- households


class _Household:
    """Builds the rows of one household (NISS assigned later, per batch)."""

    def __init__(self, picker: _Picker, household_id: int, today: date) -> None:
        rng = self.rng = picker.rng
        self.picker = picker
        self.today = today
        self.culture = picker.culture()
        self.household_id = household_id
        region = rng.choice(self.culture.regions)
        postal_code, locality, _ = rng.choice(picker.localities[region])
        number = str(rng.randint(1, 250))
        if rng.random() < 0.08:
            number += rng.choice("ABC")
        self.address = {
            "street": rng.choice(STREETS[region]),
            "house_number": number,
            "box": str(rng.randint(1, 12)) if rng.random() < 0.25 else None,
            "postal_code": postal_code,
            "locality": locality,
        }
        self.foreign = rng.random() < self.culture.foreign_share
        self.registre = FOREIGNERS if self.foreign and rng.random() < 0.6 else POPULATION
        self.rows: list[dict] = []
        self.latest_adult_birth = today.toordinal() - int(18 * YEAR)

    def _clamp(self, ordinal: int) -> int:
        """An adult's birth date (as an ordinal) between 1925 and 18 years ago."""
        return max(EARLIEST_BIRTH.toordinal(), min(ordinal, self.latest_adult_birth))

    def _nationality(self, born_here: bool) -> str:
        if not self.foreign:
            return "Belge"
        if born_here and self.rng.random() < 0.5:
            return "Belge"
        return self.culture.nationality

    def _birth_place(self, born_here: bool) -> str:
        if born_here or not self.culture.birth_places:
            if self.rng.random() < 0.6:
                return self.address["locality"]
            return self.rng.choice(LOCALITIES)[1]
        return self.rng.choice(self.culture.birth_places)

    def add(
        self,
        *,
        last_name: str,
        sex: str,
        birth: int,
        relation: str,
        civil_state: str,
        born_here: bool,
    ) -> None:
        first_name = self.picker.weighted(self.culture.men if sex == "M" else self.culture.women)
        nationality = self._nationality(born_here)
        self.rows.append(
            {
                "is_bis": False,
                "last_name": last_name.upper(),
                "first_name": first_name,
                "last_key": _key(last_name),
                "first_key": _key(first_name),
                "sex": sex,
                "birth_date": date.fromordinal(birth),
                "birth_precision": "day",
                "birth_place": self._birth_place(born_here),
                "nationality": nationality,
                "civil_state": civil_state,
                "registre": POPULATION if nationality == "Belge" else self.registre,
                **self.address,
                "household_id": self.household_id,
                "is_head": relation == HEAD,
                "relation_to_head": relation,
            }
        )

    def build(self, size: int) -> list[dict]:
        rng, today = self.rng, self.today.toordinal()
        surname = self.picker.weighted(self.culture.surnames)
        age = 18 + rng.betavariate(2.2, 3.0) * 80  # mostly 30-65, from 18 to 98
        head_birth = self._clamp(today - int(age * YEAR) - rng.randrange(365))
        head_sex = "M" if rng.random() < 0.55 else "F"
        head_here = not self.foreign or rng.random() < 0.3
        slots = size - 1
        partner: int | None = None
        relation = SPOUSE
        if slots and rng.random() < 0.75:
            partner = self._clamp(head_birth + int(rng.gauss(0, 3.5 * YEAR)))
            relation = SPOUSE if rng.random() < 0.65 else LEGAL_COHABITANT
            slots -= 1
        older_parent = max(head_birth, partner or head_birth)
        if partner is None:
            head_state = (
                SINGLE
                if age < 30 or rng.random() < 0.4
                else rng.choice((DIVORCED, DIVORCED, WIDOWED if age > 55 else SINGLE))
            )
        elif relation == SPOUSE:
            head_state = MARRIED
        else:
            head_state = SINGLE if rng.random() < 0.7 else DIVORCED
        self.add(
            last_name=surname,
            sex=head_sex,
            birth=head_birth,
            relation=HEAD,
            civil_state=head_state,
            born_here=head_here,
        )
        if partner is not None:
            partner_sex = head_sex if rng.random() < 0.03 else ("F" if head_sex == "M" else "M")
            self.add(
                last_name=self.picker.weighted(self.culture.surnames),
                sex=partner_sex,
                birth=partner,
                relation=relation,
                civil_state=head_state if relation == SPOUSE else rng.choice((SINGLE, DIVORCED)),
                born_here=head_here or rng.random() < 0.3,
            )
        # Children: born 18 to 40 years after the head (and after the partner's 18th year).
        first_child = older_parent + int(18 * YEAR)
        last_child = min(head_birth + int(40 * YEAR), today - 1)
        ascendant_done = False
        for _ in range(slots):
            if first_child <= last_child and rng.random() < 0.85:
                birth = rng.randint(first_child, last_child)
                adult = birth <= self.latest_adult_birth
                state = SINGLE
                if adult and today - birth > 30 * YEAR and rng.random() < 0.3:
                    state = DIVORCED
                self.add(
                    last_name=surname,
                    sex=rng.choice("MF"),
                    birth=birth,
                    relation=CHILD,
                    civil_state=state,
                    born_here=True,
                )
                continue
            ascendant = head_birth - rng.randint(int(18 * YEAR), int(40 * YEAR))
            if not ascendant_done and ascendant >= EARLIEST_BIRTH.toordinal():
                ascendant_done = True
                sex = "F" if rng.random() < 0.7 else "M"
                same_name = sex == "M" or rng.random() < 0.5  # a mother keeps her own name
                self.add(
                    last_name=surname if same_name else self.picker.weighted(self.culture.surnames),
                    sex=sex,
                    birth=ascendant,
                    relation=ASCENDANT,
                    civil_state=WIDOWED if rng.random() < 0.7 else MARRIED,
                    born_here=not self.foreign,
                )
                continue
            self.add(
                last_name=self.picker.weighted(self.culture.surnames),
                sex=rng.choice("MF"),
                birth=self._clamp(head_birth + int(rng.gauss(0, 8 * YEAR))),
                relation=OTHER,
                civil_state=rng.choice((SINGLE, SINGLE, DIVORCED)),
                born_here=head_here,
            )
        return self.rows


def _households(rng: random.Random, first_id: int, today: date) -> Iterator[list[dict]]:
    picker = _Picker(rng)
    household_id = first_id
    while True:
        yield _Household(picker, household_id, today).build(picker.size())
        household_id += 1


# --------------------------------------------------------------------------- NISS


def _existing(niss: Iterable[str]) -> set[str]:
    """Which of these numbers the table already holds (one indexed query per chunk)."""
    wanted = list(niss)
    found: set[str] = set()
    for start in range(0, len(wanted), 2000):
        chunk = wanted[start : start + 2000]
        found.update(
            db.session.scalars(select(RegisterPerson.niss).where(RegisterPerson.niss.in_(chunk)))
        )
    return found


def _free_niss(rng: random.Random, birth: date, sex: str, taken: set[str]) -> str:
    """A NISS for this birth date and sex that is not in ``taken`` (and add it there)."""
    for _ in range(20):
        niss = niss_for(birth, rng.randrange(1, 998, 2) if sex == "M" else rng.randrange(2, 999, 2))
        if niss not in taken:
            taken.add(niss)
            return niss
    for serial in serials_for(sex):  # a crowded day: take the first free serial
        niss = niss_for(birth, serial)
        if niss not in taken:
            taken.add(niss)
            return niss
    raise RuntimeError(f"no free NISS serial left for {birth:%d/%m/%Y}")


def _assign_niss(rng: random.Random, rows: list[dict]) -> None:
    """Give every row a NISS unused in the batch, in the table and by the demo people."""
    taken = set(DEMO_NISS)
    for row in rows:
        row["niss"] = _free_niss(rng, row["birth_date"], row["sex"], taken)
    pending = rows
    while pending:
        clash = _existing(r["niss"] for r in pending)
        pending = [r for r in pending if r["niss"] in clash]
        for row in pending:  # its old number stays in ``taken``: it is someone else's
            row["niss"] = _free_niss(rng, row["birth_date"], row["sex"], taken)


# --------------------------------------------------------------------------- entry points


def generate_persons(
    count: int, *, seed: int | None = None, batch: int = 5000, today: date | None = None
) -> int:
    """Add ``count`` fictitious persons in households; return how many were added.

    Commits each batch. Deterministic for a given ``seed`` and ``today``.
    """
    if count <= 0:
        return 0
    rng = random.Random(seed)
    today = today or date.today()
    session = db.session
    session.commit()  # start the write transaction below afresh
    previous = session.info.get("write")
    session.info["write"] = True
    try:
        first_id = (session.scalar(select(func.max(RegisterPerson.household_id))) or 0) + 1
        households = _households(rng, first_id, today)
        buffer: list[dict] = []
        added = 0
        while added < count:
            want = min(batch, count - added)
            while len(buffer) < want:
                buffer.extend(next(households))
            rows, buffer = buffer[:want], buffer[want:]  # the last household may be cut
            _insert(rng, rows, utcnow())
            added += want
        return added
    finally:
        if previous is None:
            session.info.pop("write", None)
        else:
            session.info["write"] = previous


def _insert(rng: random.Random, rows: list[dict], now: datetime) -> None:
    _assign_niss(rng, rows)
    for row in rows:
        row["created_at"] = now
    db.session.execute(insert(RegisterPerson), rows)
    db.session.commit()


# --------------------------------------------------------------------------- demo people


def _demo(
    last: str,
    first: str,
    sex: str,
    born: date,
    serial: int,
    place: str,
    relation: str,
    civil_state: str,
    address: tuple[str, str, str, str],
    nationality: str = "Belge",
) -> dict:
    street, number, postal_code, locality = address
    return {
        "niss": niss_for(born, serial),
        "is_bis": False,
        "last_name": last,
        "first_name": first,
        "last_key": phonetic_key(last),
        "first_key": phonetic_key(first),
        "sex": sex,
        "birth_date": born,
        "birth_precision": "day",
        "birth_place": place,
        "nationality": nationality,
        "civil_state": civil_state,
        "registre": POPULATION,
        "street": street,
        "house_number": number,
        "box": None,
        "postal_code": postal_code,
        "locality": locality,
        "is_head": relation == HEAD,
        "relation_to_head": relation,
    }


_LIEGE = ("Rue Saint-Gilles", "45", "4000", "Liège")
_BRUXELLES = ("Rue Haute", "101", "1000", "Bruxelles")

#: The fixed demo persons, one tuple per household (head first). Their NISS (``niss_for``):
#: DUPONT Marie 85.03.14-124.01, LEFEBVRE Jean 82.09.02-057.19, DUPONT Lucas 16.06.21-033.35
#: (born after 2000: check on 2 + 9 digits), MARTIN Ahmed 79.11.05-211.17.
DEMO_HOUSEHOLDS: tuple[tuple[dict, ...], ...] = (
    (
        _demo("DUPONT", "Marie", "F", date(1985, 3, 14), 124, "Liège", HEAD, SINGLE, _LIEGE),
        _demo(
            "LEFEBVRE", "Jean", "M", date(1982, 9, 2), 57, "Namur", LEGAL_COHABITANT, SINGLE,
            _LIEGE,
        ),
        _demo("DUPONT", "Lucas", "M", date(2016, 6, 21), 33, "Liège", CHILD, SINGLE, _LIEGE),
    ),
    (
        _demo(
            "MARTIN", "Ahmed", "M", date(1979, 11, 5), 211, "Bruxelles", HEAD, DIVORCED,
            _BRUXELLES,
        ),
    ),
)  # fmt: skip
DEMO_NISS = frozenset(p["niss"] for household in DEMO_HOUSEHOLDS for p in household)


def ensure_demo_people() -> int:
    """Add the fixed demo persons that are missing; return how many were added."""
    session = db.session
    existing = {
        row.niss: row.household_id
        for row in session.execute(
            select(RegisterPerson.niss, RegisterPerson.household_id).where(
                RegisterPerson.niss.in_(DEMO_NISS)
            )
        )
    }
    added = 0
    for household in DEMO_HOUSEHOLDS:
        missing = [p for p in household if p["niss"] not in existing]
        if not missing:
            continue
        household_id = next(
            (existing[p["niss"]] for p in household if existing.get(p["niss"]) is not None),
            None,
        )
        if household_id is None:
            household_id = (session.scalar(select(func.max(RegisterPerson.household_id))) or 0) + 1
        now = utcnow()
        session.execute(
            insert(RegisterPerson),
            [{**p, "household_id": household_id, "created_at": now} for p in missing],
        )
        added += len(missing)
    if added:
        session.flush()
    return added
