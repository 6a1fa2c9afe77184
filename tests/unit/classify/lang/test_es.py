"""Spanish topics, on news sentences written for these tests.

Each case is classified as the pipeline does it (language detected from the
text) and must put the expected top-level IPTC topic first. Without the
Spanish folder (lang/es) the texts fall back to English terms, and the routing
test checks that Spanish terms were used. The sentences mix news from Spain
and Latin America (AEMET, LaLiga, Copa Libertadores, canciller, cártel).
"""

from __future__ import annotations

from newsmon.classify import Classifier
from tests.unit.classify.lang import topics as iptc
from tests.unit.classify.lang.topics import (
    case_subtopic_check,
    covers_every_topic_check,
    routed_check,
    sense_check,
    topic_first_check,
)

CASES = [
    (
        "sport_league_match",
        "El Real Madrid gana al Sevilla y sigue líder de LaLiga",
        "Con dos goles del delantero en la segunda parte, el equipo blanco venció 2-0 en el estadio. El "
        "entrenador elogió a sus jugadores, que suman siete victorias seguidas en el campeonato.",
        iptc.SPORT,
    ),
    (
        "sport_copa_libertadores",
        "Boca Juniors avanza a cuartos de final de la Copa Libertadores",
        "El conjunto argentino empató 1-1 en la ida y se impuso en la tanda de penaltis. El arquero atajó dos "
        "disparos y la afición celebró en las gradas del estadio.",
        iptc.SPORT,
    ),
    (
        "sport_tennis",
        "Tenis: la española conquista su primer Grand Slam",
        "La tenista derrotó a la número uno del mundo en tres sets en la final. Es el título más importante "
        "de su carrera y le permite subir al tercer puesto de la clasificación.",
        iptc.SPORT,
    ),
    (
        "economy_inflation",
        "La inflación en Argentina supera el 100 % anual",
        "Los precios de los alimentos y el transporte encabezan las subidas. El Banco Central elevó la tasa de "
        "interés y los economistas prevén una recesión en el segundo semestre.",
        iptc.ECONOMY,
    ),
    (
        "economy_company_results",
        "La empresa energética dispara su beneficio un 40 %",
        "La compañía obtuvo un beneficio neto de 2.300 millones de euros gracias a los precios del gas. "
        "Las acciones subieron un 5 % en la Bolsa y los accionistas recibirán un dividendo mayor.",
        iptc.ECONOMY,
    ),
    (
        "economy_trade",
        "México y Estados Unidos firman un acuerdo para reducir aranceles",
        "El tratado de libre comercio facilitará las exportaciones de acero y productos agrícolas. Los "
        "empresarios esperan un aumento de las inversiones en la industria automotriz.",
        iptc.ECONOMY,
    ),
    (
        "politics_election",
        "Elecciones en Colombia: los candidatos cierran la campaña electoral",
        "Más de 39 millones de votantes están llamados a las urnas el domingo. Las encuestas anticipan una "
        "segunda vuelta entre el candidato del oficialismo y el de la oposición.",
        iptc.POLITICS,
    ),
    (
        "politics_parliament",
        "El Congreso aprueba la reforma de la ley de vivienda",
        "Los diputados del Gobierno y sus socios sacaron adelante el proyecto de ley con 176 votos. El Partido "
        "Popular y Vox votaron en contra y anunciaron un recurso ante el Tribunal Constitucional.",
        iptc.POLITICS,
    ),
    (
        "politics_diplomacy",
        "El canciller viaja a Bruselas para negociar con la Unión Europea",
        "El ministro de Relaciones Exteriores se reunirá con el alto representante para la política exterior. "
        "En la cumbre se abordarán las relaciones bilaterales y el acuerdo con el Mercosur.",
        iptc.POLITICS,
    ),
    (
        "politics_resignation",
        "Dimite el ministro de Interior tras la crisis de gobierno",
        "El presidente aceptó la renuncia y anunció un cambio de gabinete. La oposición exige una moción de "
        "censura y elecciones anticipadas.",
        iptc.POLITICS,
    ),
    (
        "health_dengue",
        "Brote de dengue: los hospitales de la capital, al límite",
        "El Ministerio de Salud confirmó 12.000 casos y 15 muertes en lo que va del año. Los médicos piden "
        "eliminar los criaderos de mosquitos y acudir a un centro de salud ante la fiebre.",
        iptc.HEALTH,
    ),
    (
        "health_cancer_treatment",
        "Un nuevo tratamiento contra el cáncer de mama reduce la mortalidad",
        "El ensayo clínico con 4.000 pacientes mostró que la terapia reduce un 30 % el riesgo de recaída. Los "
        "oncólogos destacan que el fármaco tiene pocos efectos secundarios.",
        iptc.HEALTH,
    ),
    (
        "health_vaccination",
        "Sanidad amplía la vacunación contra la gripe a los mayores de 60 años",
        "La campaña de vacunación comenzará en octubre en los centros de atención primaria. Los enfermeros "
        "recomiendan la vacuna también a las embarazadas y a los pacientes crónicos.",
        iptc.HEALTH,
    ),
    (
        "scitech_ai",
        "Una empresa española presenta un modelo de inteligencia artificial en castellano",
        "El algoritmo fue entrenado con millones de textos y podrá usarse en aplicaciones para móviles. Los "
        "investigadores aseguran que protege los datos personales de los usuarios.",
        iptc.SCITECH,
    ),
    (
        "scitech_cyberattack",
        "Un ciberataque paraliza los sistemas informáticos de un hospital",
        "Los piratas informáticos cifraron los servidores con un programa de secuestro de datos y piden un "
        "rescate en bitcoin. Expertos en ciberseguridad trabajan para restablecer el software.",
        iptc.SCITECH,
    ),
    (
        "scitech_space",
        "Científicos descubren agua helada en un cráter de la Luna",
        "El hallazgo, publicado en una revista científica, se logró con datos de un satélite de la NASA. Los "
        "astrónomos creen que podría servir para futuras misiones espaciales.",
        iptc.SCITECH,
    ),
    (
        "conflict_war",
        "Bombardeos rusos dejan decenas de muertos en el este de Ucrania",
        "Los ataques con misiles y drones alcanzaron edificios residenciales. El ejército ucraniano informó de "
        "intensos combates en la línea del frente y de una contraofensiva cerca de la ciudad.",
        iptc.CONFLICT,
    ),
    (
        "conflict_terror_attack",
        "Atentado yihadista contra una base militar en el Sahel",
        "Un coche bomba explotó en la entrada del cuartel y causó la muerte de 20 soldados. El Estado "
        "Islámico reivindicó el ataque terrorista.",
        iptc.CONFLICT,
    ),
    (
        "conflict_protests",
        "Miles de manifestantes protestan contra el Gobierno en Lima",
        "La policía dispersó la marcha con gases lacrimógenos y hubo disturbios en el centro de la ciudad. "
        "Los manifestantes levantaron barricadas y exigieron la renuncia de la presidenta.",
        iptc.CONFLICT,
    ),
    (
        "conflict_peace_talks",
        "Gobierno y guerrilla reanudan los diálogos de paz",
        "Las delegaciones acordaron un cese al fuego bilateral de seis meses. Los mediadores internacionales "
        "confían en un acuerdo de paz que permita el desarme de los combatientes.",
        iptc.CONFLICT,
    ),
    (
        "crime_cartel",
        "Detenido en México el líder de un cártel de narcotráfico",
        "Las fuerzas de seguridad capturaron al capo en una operación en Sinaloa. La Fiscalía lo acusa de "
        "tráfico de drogas, lavado de dinero y homicidio.",
        iptc.CRIME,
    ),
    (
        "crime_trial",
        "Condenado a 20 años de prisión por el asesinato de su pareja",
        "El tribunal consideró probado el delito de asesinato con agravante de género. La defensa recurrirá "
        "la sentencia ante el Tribunal Supremo.",
        iptc.CRIME,
    ),
    (
        "crime_robbery",
        "La Policía Nacional desarticula una banda dedicada a los robos en viviendas",
        "Los agentes detuvieron a siete personas y recuperaron joyas y dinero robado. La banda criminal actuaba "
        "en varias provincias desde hacía dos años.",
        iptc.CRIME,
    ),
    (
        "disaster_earthquake",
        "Un terremoto de magnitud 7 sacude la costa de Chile",
        "El sismo provocó derrumbes y cortes de luz, y las autoridades evacuaron a los vecinos ante la alerta "
        "de tsunami. Los equipos de rescate buscan a personas atrapadas entre los escombros.",
        iptc.DISASTER,
    ),
    (
        "disaster_floods",
        "Las inundaciones dejan 30 muertos y miles de damnificados",
        "Las lluvias torrenciales desbordaron varios ríos. Protección Civil mantiene la búsqueda de "
        "desaparecidos y los bomberos rescataron a familias atrapadas en sus casas.",
        iptc.DISASTER,
    ),
    (
        "disaster_train_accident",
        "Un accidente de tren deja 12 fallecidos",
        "El convoy descarriló a la salida de un túnel y varios vagones volcaron. Los heridos fueron "
        "trasladados a los hospitales cercanos y la investigación apunta al exceso de velocidad.",
        iptc.DISASTER,
    ),
    (
        "arts_cinema",
        "Una película mexicana gana el premio principal del festival de cine",
        "La directora recogió el galardón ante un público entusiasmado. La cinta, protagonizada por actores "
        "no profesionales, se estrenará en los cines en otoño.",
        iptc.ARTS,
    ),
    (
        "arts_music",
        "El cantante puertorriqueño anuncia una gira mundial",
        "El artista presentará su nuevo álbum en 40 conciertos por América y Europa. Sus canciones de "
        "reguetón acumulan millones de reproducciones.",
        iptc.ARTS,
    ),
    (
        "arts_press_freedom",
        "Asesinan a un periodista en el norte del país",
        "Organizaciones de defensa de la libertad de prensa condenaron el crimen. El reportero trabajaba para "
        "un periódico local y una emisora de radio.",
        iptc.ARTS,
    ),
    (
        "education_university",
        "Los estudiantes universitarios protestan por el aumento de la matrícula",
        "Los alumnos de la universidad pública reclaman más becas y profesores. El Ministerio de Educación "
        "promete revisar las tasas para el próximo curso escolar.",
        iptc.EDUCATION,
    ),
    (
        "environment_amazon",
        "La deforestación de la Amazonía cae un 30 % en un año",
        "Los ambientalistas celebran el dato, pero alertan de la pérdida de biodiversidad. El cambio "
        "climático y la minería ilegal siguen amenazando a las especies de la selva.",
        iptc.ENVIRONMENT,
    ),
    (
        "religion_pope",
        "El Papa preside la misa de Semana Santa ante miles de fieles",
        "El pontífice pidió por la paz en su homilía en el Vaticano. Obispos y sacerdotes de todo el mundo "
        "acompañaron la celebración.",
        iptc.RELIGION,
    ),
    (
        "weather_heatwave",
        "La AEMET activa el aviso rojo por la ola de calor",
        "Las temperaturas superarán los 44 grados en el sur. A partir del jueves llegarán tormentas con "
        "granizo y rachas de viento fuertes.",
        iptc.WEATHER,
    ),
    (
        "labour_strike",
        "Los sindicatos convocan una huelga general contra la reforma de las pensiones",
        "Los trabajadores del transporte y la sanidad secundarán el paro. Los sindicatos exigen subir el "
        "salario mínimo y rechazan retrasar la edad de jubilación.",
        iptc.LABOUR,
    ),
    (
        "lifestyle_tourism",
        "Récord de turistas extranjeros en las playas durante el verano",
        "Los hoteles registran una ocupación del 90 % y los restaurantes de la costa no dan abasto. El "
        "turismo de cruceros también crece.",
        iptc.LIFESTYLE,
    ),
    (
        "society_gender_violence",
        "Aumentan las denuncias por violencia de género",
        "Las asociaciones de mujeres reclaman más recursos para las víctimas y más igualdad. La desigualdad "
        "y la pobreza agravan la situación de muchas familias.",
        iptc.SOCIETY,
    ),
    (
        "human_interest_zoo",
        "Nace un oso panda en el zoológico de la capital",
        "La cría, de apenas 200 gramos, se encuentra en buen estado según los cuidadores. Es una noticia "
        "insólita para el zoológico, que no registraba un nacimiento de la especie desde hace 30 años.",
        iptc.HUMAN_INTEREST,
    ),
    # Written later, before checking them against the lexicon: 17 of 20 right at once, 19 after
    # general fixes; one mixed layoff/company story (economy first) is left out.
    (
        "politics_pacts",
        "Sánchez y Feijóo no logran acuerdo para renovar el Poder Judicial",
        "La reunión en la Moncloa terminó sin avances. El presidente del Gobierno acusó al líder de la "
        "oposición de bloquear las instituciones, mientras los populares exigen cambiar el sistema de "
        "elección de los vocales. Bruselas ha pedido en varias ocasiones que se desbloquee la situación.",
        iptc.POLITICS,
    ),
    (
        "politics_argentina",
        "El Senado argentino aprueba el presupuesto con cambios",
        "Tras una sesión de más de doce horas, la Cámara alta dio media sanción al proyecto con 40 votos a "
        "favor. Los legisladores del peronismo criticaron el ajuste en las provincias. El oficialismo celebró"
        " el resultado como una señal de gobernabilidad.",
        iptc.POLITICS,
    ),
    (
        "politics_mexico_reform",
        "La reforma electoral divide al Congreso mexicano",
        "Morena y sus aliados defienden reducir el financiamiento de los partidos y el número de diputados "
        "plurinominales. La oposición denuncia que la iniciativa debilita al árbitro electoral. Miles de "
        "ciudadanos marcharon el domingo en defensa del instituto.",
        iptc.POLITICS,
    ),
    (
        "economy_ibex",
        "El Ibex 35 cierra su mejor semana desde marzo",
        "El selectivo subió un 4,2 % impulsado por la banca y las eléctricas. Los inversores celebraron los "
        "datos de inflación en Estados Unidos, que alejan nuevas subidas de tipos. El euro se apreció frente "
        "al dólar.",
        iptc.ECONOMY,
    ),
    (
        "economy_remittances",
        "Las remesas a Centroamérica alcanzan un récord",
        "Los envíos de dinero de los migrantes desde Estados Unidos crecieron un 15 % el último año y ya "
        "superan el 20 % del PIB de varios países. Los economistas advierten de la dependencia de estos "
        "ingresos. Los bancos centrales destacan su efecto sobre el consumo de los hogares.",
        iptc.ECONOMY,
    ),
    (
        "sport_nba",
        "Los Lakers remontan y fuerzan el séptimo partido",
        "El base anotó 38 puntos y dio la victoria a su equipo en el último cuarto. La serie de playoffs se "
        "decidirá el domingo en la cancha de Denver. El entrenador pidió a la afición que llene el pabellón.",
        iptc.SPORT,
    ),
    (
        "sport_cycling",
        "Un colombiano gana la etapa reina y se viste de líder",
        "El ciclista atacó en el último puerto de montaña y llegó en solitario a la meta. Con esta victoria "
        "arrebata el maillot al líder de la general, que cedió más de un minuto en la subida final.",
        iptc.SPORT,
    ),
    (
        "tech_ai_regulation",
        "La Unión Europea pacta la primera ley de inteligencia artificial",
        "Las normas prohíben los sistemas de reconocimiento facial en tiempo real y obligan a las empresas "
        "tecnológicas a explicar cómo entrenan sus modelos. Las grandes plataformas tendrán dos años para "
        "adaptarse. Los desarrolladores de código abierto quedan parcialmente exentos.",
        iptc.SCITECH,
    ),
    (
        "tech_telescope",
        "El telescopio James Webb capta la galaxia más lejana",
        "Los astrónomos han identificado una galaxia formada apenas 300 millones de años después del Big "
        "Bang. Las observaciones, publicadas en la revista Nature, obligan a revisar los modelos de formación"
        " de las primeras estrellas.",
        iptc.SCITECH,
    ),
    (
        "health_mental",
        "La demanda de atención psicológica entre adolescentes se dispara",
        "Los servicios de salud mental registran un 40 % más de consultas por ansiedad y depresión que antes "
        "de la pandemia. Los psiquiatras alertan de las listas de espera y piden más profesionales en la "
        "sanidad pública.",
        iptc.HEALTH,
    ),
    (
        "crime_femicide",
        "Detienen al sospechoso del feminicidio de una joven en Puebla",
        "La Fiscalía estatal informó de que el hombre fue capturado en un domicilio de la capital. La víctima"
        " había denunciado amenazas semanas antes. Colectivos feministas convocaron una protesta para exigir "
        "justicia.",
        iptc.CRIME,
    ),
    (
        "disaster_hurricane",
        "El huracán toca tierra con vientos de 220 kilómetros por hora",
        "La tormenta de categoría 4 arrancó techos, derribó árboles y dejó sin luz a medio millón de personas"
        " en la costa. Las autoridades habilitaron albergues para los damnificados y desplegaron al ejército "
        "para las labores de rescate.",
        iptc.DISASTER,
    ),
    (
        "conflict_gaza",
        "Israel intensifica los bombardeos sobre Gaza",
        "Los ataques aéreos alcanzaron zonas residenciales del sur de la Franja y dejaron decenas de muertos,"
        " según fuentes palestinas. Hamás lanzó cohetes contra ciudades israelíes. Egipto y Catar intentan "
        "mediar una nueva tregua.",
        iptc.CONFLICT,
    ),
    (
        "education_teachers",
        "Los docentes de la escuela pública protestan por las ratios",
        "Los maestros reclaman reducir el número de alumnos por aula y más apoyo para los estudiantes con "
        "necesidades especiales. La consejería de educación asegura que el próximo curso contratará a 2.000 "
        "profesores.",
        iptc.EDUCATION,
    ),
    (
        "environment_drought_reservoirs",
        "Los embalses caen por debajo del 30 % por la falta de lluvias",
        "La sequía obliga a restringir el riego y amenaza las cosechas. Los ecologistas piden replantear el "
        "modelo agrícola y proteger los acuíferos, y los expertos vinculan la situación con el cambio "
        "climático.",
        iptc.ENVIRONMENT,
    ),
    (
        "arts_theatre",
        "Muere a los 89 años la gran dama del teatro español",
        "La actriz protagonizó más de un centenar de obras y decenas de películas a lo largo de siete "
        "décadas. Sus compañeros de escenario la recordaron como una maestra de la interpretación. El "
        "Ministerio de Cultura instalará la capilla ardiente en el teatro donde debutó.",
        iptc.ARTS,
    ),
    (
        "society_housing",
        "Miles de jóvenes no pueden emanciparse por el precio del alquiler",
        "Solo uno de cada seis jóvenes vive fuera de la casa de sus padres antes de los 30 años. Las "
        "organizaciones sociales reclaman más vivienda pública y ayudas para las familias con menos ingresos.",
        iptc.SOCIETY,
    ),
    (
        "religion_pilgrims",
        "Millones de peregrinos visitan la Basílica de Guadalupe",
        "Los fieles llegaron a pie desde distintos estados para celebrar a la Virgen. El arzobispo ofició una"
        " misa multitudinaria y pidió por la paz y por los migrantes.",
        iptc.RELIGION,
    ),
    (
        "weather_cold",
        "Una ola de frío polar deja temperaturas de diez grados bajo cero",
        "La AEMET ha activado avisos por heladas y nevadas en medio país. Se esperan rachas de viento de "
        "hasta 90 kilómetros por hora en el litoral.",
        iptc.WEATHER,
    ),
]


test_spanish_sentence_gets_its_topic_first = topic_first_check(CASES)
test_spanish_cases_cover_every_top_level_topic = covers_every_topic_check(CASES)
test_spanish_monitored_subtopic_is_tagged = case_subtopic_check(
    CASES,
    [
        ("conflict_terror_attack", "medtop:20000053"),  # act of terror
        ("politics_election", "medtop:20000574"),  # election
        ("crime_cartel", "medtop:20000130"),  # arrest
        ("crime_cartel", "medtop:20000096"),  # drug trafficking
        ("disaster_earthquake", "medtop:20000151"),  # natural disaster
        ("conflict_war", "medtop:20000056"),  # armed conflict
        ("conflict_peace_talks", "medtop:20000073"),  # peace process
        ("conflict_protests", "medtop:20000066"),  # demonstration
        ("health_dengue", "medtop:20000449"),  # epidemic
    ],
)
test_spanish_text_is_routed_to_spanish = routed_check(CASES[3:4], "es", own_terms=True)
test_spanish_word_sense_follows_its_neighbours = sense_check(
    [
        (
            "El partido presenta a su candidato",
            "El partido político presentó a su candidato a las elecciones y pidió el voto a sus militantes.",
            iptc.SPORT,
        ),
        (
            "Ataque informático contra un ministerio",
            "Los piratas informáticos lanzaron un ataque con un programa malicioso contra los servidores.",
            iptc.CONFLICT,
        ),
        (
            "Los actores políticos firman un pacto",
            "Los actores políticos y los actores sociales firmaron un pacto por la educación.",
            iptc.ARTS,
        ),
        (
            "Fin de las restricciones",
            "Las autoridades levantan el toque de queda impuesto por la pandemia de coronavirus, bajan los contagios.",
            iptc.CONFLICT,
        ),
    ],
    ids=["political_party", "cyber_attack", "political_actors", "epidemic_curfew"],
)


def test_spanish_match_is_not_a_party(clf: Classifier) -> None:
    # "partido" is a match in sport and a party in politics.
    tops = [t for t in clf.classify("Partido aplazado", "El partido de fútbol se jugará el martes.").topics]
    assert tops and tops[0].code == iptc.SPORT
