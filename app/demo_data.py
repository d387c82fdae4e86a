"""The demo district's records, as plain data for `app.demo.seed_demo()`. All people are invented."""

from app.directory.models import SchoolKind

# key, full name (the natural key), short name, kind
SCHOOLS = [
    ("ckouo", "МКУ «Центр комплексного обслуживания образовательных учреждений» Нефтекумского городского округа",
     "ЦК ОУО", SchoolKind.OTHER),
    ("sosh1", "МКОУ СОШ № 1 г. Нефтекумска", "СОШ № 1 г. Нефтекумска", SchoolKind.SCHOOL),
    ("sosh2", "МКОУ СОШ № 2 г. Нефтекумска", "СОШ № 2 г. Нефтекумска", SchoolKind.SCHOOL),
    ("licey3", "МКОУ «Лицей № 3» г. Нефтекумска", "Лицей № 3", SchoolKind.LYCEUM),
    ("gimn4", "МКОУ «Гимназия № 4» г. Нефтекумска", "Гимназия № 4", SchoolKind.GYMNASIUM),
    ("zater", "МКОУ СОШ № 6 п. Затеречный", "СОШ № 6 п. Затеречный", SchoolKind.SCHOOL),
    ("achikulak", "МКОУ СОШ № 8 с. Ачикулак", "СОШ № 8 с. Ачикулак", SchoolKind.SCHOOL),
    ("mahmud", "МКОУ СОШ № 12 а. Махмуд-Мектеб", "СОШ № 12 а. Махмуд-Мектеб", SchoolKind.SCHOOL),
    ("ds5", "МКДОУ «Детский сад № 5 «Ромашка»» г. Нефтекумска", "Детский сад № 5 «Ромашка»", SchoolKind.KINDERGARTEN),
    ("ds9", "МКДОУ «Детский сад № 9 «Солнышко»» п. Затеречный", "Детский сад № 9 «Солнышко»", SchoolKind.KINDERGARTEN),
    ("ddt", "МКУ ДО «Дом детского творчества» г. Нефтекумска", "Дом детского творчества", SchoolKind.SUPPLEMENTARY),
]  # fmt: skip

# slug (the natural key), name
SUBJECTS = [
    ("matematika", "Математика"),
    ("russkiy-yazyk", "Русский язык"),
    ("literatura", "Литература"),
    ("fizika", "Физика"),
    ("khimiya", "Химия"),
    ("biologiya", "Биология"),
    ("istoriya", "История"),
    ("obshchestvoznanie", "Обществознание"),
    ("geografiya", "География"),
    ("angliyskiy-yazyk", "Английский язык"),
    ("informatika", "Информатика"),
    ("fizicheskaya-kultura", "Физическая культура"),
    ("tekhnologiya", "Технология"),
    ("nachalnye-klassy", "Начальные классы"),
    ("doshkolnoe-obrazovanie", "Дошкольное образование"),
]

PRE, PRI, BAS, SEC = "preschool", "primary", "basic", "secondary"
MATH, RUS, LIT, INF = "matematika", "russkiy-yazyk", "literatura", "informatika"

# e-mail (the natural key), full name, role, position, school key, subject slugs, levels
USERS = [
    ("admin@example.org", "Соколова Елена Викторовна", "admin",
     "начальник информационно-методического отдела", "ckouo", [], []),
    ("a.gavrilov@example.org", "Гаврилов Андрей Сергеевич", "admin",
     "методист по информатизации, технический специалист ВМК", "ckouo", [INF], []),
    ("methodist@example.org", "Белова Ирина Николаевна", "methodist",
     "методист по математике и информатике", "ckouo", [MATH, INF], [BAS, SEC]),
    ("n.zakharova@example.org", "Захарова Наталья Петровна", "methodist",
     "методист по русскому языку и литературе", "ckouo", [RUS, LIT], [BAS, SEC]),
    ("s.mironova@example.org", "Миронова Светлана Алексеевна", "methodist",
     "методист по начальному общему образованию", "ckouo", ["nachalnye-klassy"], [PRI]),
    ("l.tkacheva@example.org", "Ткачёва Людмила Ивановна", "methodist",
     "методист по дошкольному образованию", "ckouo", ["doshkolnoe-obrazovanie"], [PRE]),
    ("leader@example.org", "Кравченко Ольга Владимировна", "teacher",
     "учитель математики, руководитель РМО учителей математики", "licey3", [MATH], [BAS, SEC]),
    ("teacher@example.org", "Петрова Анна Сергеевна", "teacher",
     "учитель математики и информатики", "sosh2", [MATH, INF], [BAS, SEC]),
    ("t.morozova@example.org", "Морозова Татьяна Юрьевна", "teacher",
     "учитель математики", "sosh1", [MATH], [BAS, SEC]),
    ("z.abdurashidova@example.org", "Абдурашидова Зарема Магомедовна", "teacher",
     "учитель математики", "mahmud", [MATH], [BAS]),
    ("r.dzhumaev@example.org", "Джумаев Руслан Ахмедович", "teacher",
     "учитель математики и физики", "achikulak", [MATH, "fizika"], [BAS, SEC]),
    ("e.kovalenko@example.org", "Коваленко Евгения Викторовна", "teacher",
     "учитель математики", "gimn4", [MATH], [BAS, SEC]),
    ("o.lysenko@example.org", "Лысенко Оксана Петровна", "teacher", "учитель математики", "zater", [MATH], [BAS]),
    ("m.lebedeva@example.org", "Лебедева Марина Александровна", "teacher",
     "учитель русского языка и литературы, руководитель РМО", "gimn4", [RUS, LIT], [BAS, SEC]),
    ("g.orazova@example.org", "Оразова Гульнара Байрамовна", "teacher",
     "учитель русского языка и литературы", "mahmud", [RUS, LIT], [BAS, SEC]),
    ("v.shevchenko@example.org", "Шевченко Валентина Николаевна", "teacher",
     "учитель русского языка и литературы", "sosh1", [RUS, LIT], [BAS, SEC]),
    ("i.polyakova@example.org", "Полякова Ирина Геннадьевна", "teacher",
     "учитель русского языка и литературы", "zater", [RUS, LIT], [BAS]),
    ("o.vasilieva@example.org", "Васильева Ольга Михайловна", "teacher",
     "учитель начальных классов, руководитель РМО", "sosh1", ["nachalnye-klassy"], [PRI]),
    ("a.kubanova@example.org", "Кубанова Айшат Ремиевна", "teacher",
     "учитель начальных классов", "achikulak", ["nachalnye-klassy"], [PRI]),
    ("e.fedorova@example.org", "Фёдорова Екатерина Андреевна", "teacher",
     "учитель начальных классов, руководитель ШМО", "sosh1", ["nachalnye-klassy"], [PRI]),
    ("n.gritsenko@example.org", "Гриценко Надежда Васильевна", "teacher",
     "учитель начальных классов", "sosh2", ["nachalnye-klassy"], [PRI]),
    ("y.karpenko@example.org", "Карпенко Юлия Сергеевна", "teacher",
     "учитель начальных классов", "licey3", ["nachalnye-klassy"], [PRI]),
    ("l.romanova@example.org", "Романова Лариса Викторовна", "teacher",
     "старший воспитатель, руководитель РМО", "ds5", ["doshkolnoe-obrazovanie"], [PRE]),
    ("d.umarova@example.org", "Умарова Диана Руслановна", "teacher",
     "воспитатель", "ds9", ["doshkolnoe-obrazovanie"], [PRE]),
    ("k.nikitina@example.org", "Никитина Ксения Олеговна", "teacher",
     "воспитатель", "ds5", ["doshkolnoe-obrazovanie"], [PRE]),
    ("s.yusupova@example.org", "Юсупова Саида Ибрагимовна", "teacher",
     "музыкальный руководитель", "ds9", ["doshkolnoe-obrazovanie"], [PRE]),
    ("v.sidorenko@example.org", "Сидоренко Виктор Павлович", "teacher",
     "учитель истории и обществознания, руководитель РМО", "sosh2", ["istoriya", "obshchestvoznanie"], [BAS, SEC]),
    ("a.batyrova@example.org", "Батырова Аминат Казбековна", "teacher",
     "учитель истории и обществознания", "achikulak", ["istoriya", "obshchestvoznanie"], [BAS, SEC]),
    ("p.kuzmenko@example.org", "Кузьменко Павел Андреевич", "teacher",
     "учитель физики", "licey3", ["fizika"], [BAS, SEC]),
    ("n.bondarenko@example.org", "Бондаренко Наталья Сергеевна", "teacher",
     "учитель химии и биологии, руководитель РМО", "gimn4", ["khimiya", "biologiya"], [BAS, SEC]),
    ("m.aliev@example.org", "Алиев Магомед Шамилевич", "teacher",
     "учитель географии", "mahmud", ["geografiya"], [BAS, SEC]),
    ("e.zaitseva@example.org", "Зайцева Елена Дмитриевна", "teacher",
     "учитель биологии", "zater", ["biologiya"], [BAS, SEC]),
    ("k.tarasova@example.org", "Тарасова Кристина Игоревна", "teacher",
     "учитель английского языка, руководитель РМО", "licey3", ["angliyskiy-yazyk"], [PRI, BAS, SEC]),
    ("l.mambetova@example.org", "Мамбетова Лилия Арслановна", "teacher",
     "учитель английского языка", "sosh1", ["angliyskiy-yazyk"], [PRI, BAS]),
    ("d.volkov@example.org", "Волков Дмитрий Алексеевич", "teacher",
     "учитель информатики, руководитель РМО", "gimn4", [INF], [BAS, SEC]),
    ("s.grigoriev@example.org", "Григорьев Сергей Николаевич", "teacher",
     "учитель физической культуры", "zater", ["fizicheskaya-kultura"], [PRI, BAS, SEC]),
    ("t.shapovalova@example.org", "Шаповалова Татьяна Викторовна", "teacher",
     "педагог дополнительного образования (робототехника)", "ddt", [INF, "tekhnologiya"], [PRI, BAS]),
    ("a.osipova@example.org", "Осипова Алла Борисовна", "teacher",
     "заместитель директора по учебно-воспитательной работе", "sosh2", [RUS], [PRI, BAS, SEC]),
    ("r.nurmagomedova@example.org", "Нурмагомедова Рашида Абдулаевна", "teacher",
     "заместитель директора по научно-методической работе", "licey3", [MATH], [BAS, SEC]),
    ("i.kovalev@example.org", "Ковалёв Игорь Витальевич", "teacher",
     "заместитель директора по учебно-воспитательной работе", "achikulak", ["istoriya"], [BAS, SEC]),
]  # fmt: skip

# Registrations with a confirmed e-mail, waiting for an administrator's approval.
PENDING_USERS = [
    ("a.medvedeva@example.org", "Медведева Алина Романовна", "teacher",
     "учитель русского языка и литературы (молодой специалист)", "sosh2", [RUS, LIT], [BAS]),
    ("b.khalilov@example.org", "Халилов Байрам Эльдарович", "teacher",
     "учитель физической культуры", "mahmud", ["fizicheskaya-kultura"], [BAS, SEC]),
]  # fmt: skip

ASSOCIATIONS = [
    {
        "slug": "rmo-matematika",
        "name": "РМО учителей математики",
        "kind": "district",
        "subjects": [MATH],
        "levels": [BAS, SEC],
        "description": (
            "Районное методическое объединение учителей математики Нефтекумского городского округа.\n\n"
            "**Направления работы в 2026/27 учебном году:**\n\n"
            "- подготовка обучающихся к ОГЭ и ЕГЭ: разбор трудных заданий второй части;\n"
            "- формирование математической грамотности на уроках и во внеурочной деятельности;\n"
            "- работа с одарёнными детьми, муниципальный этап всероссийской олимпиады школьников;\n"
            "- наставничество для молодых специалистов.\n\n"
            "Заседания проходят раз в четверть в МКОУ «Лицей № 3», открытые уроки — по графику в плане работы."
        ),
        "leaders": ["leader@example.org"],
        "members": ["teacher@example.org", "t.morozova@example.org", "z.abdurashidova@example.org",
                    "r.dzhumaev@example.org", "e.kovalenko@example.org", "o.lysenko@example.org",
                    "methodist@example.org", "r.nurmagomedova@example.org"],
    },
    {
        "slug": "rmo-russkiy-yazyk",
        "name": "РМО учителей русского языка и литературы",
        "kind": "district",
        "subjects": [RUS, LIT],
        "levels": [BAS, SEC],
        "description": (
            "Объединяем учителей русского языка и литературы всех школ округа.\n\n"
            "Обсуждаем итоговое сочинение и итоговое собеседование в 9 классе, делимся разработками уроков "
            "по обновлённым ФГОС, готовим районный конкурс чтецов «Живая классика».\n\n"
            "> Читающий ученик начинается с читающего учителя."
        ),
        "leaders": ["m.lebedeva@example.org"],
        "members": ["g.orazova@example.org", "v.shevchenko@example.org", "i.polyakova@example.org",
                    "n.zakharova@example.org", "a.osipova@example.org"],
    },
    {
        "slug": "rmo-nachalnye-klassy",
        "name": "РМО учителей начальных классов",
        "kind": "district",
        "join_policy": "request",
        "subjects": ["nachalnye-klassy"],
        "levels": [PRI],
        "description": (
            "Методическое объединение учителей начальных классов.\n\n"
            "**Темы года:**\n\n"
            "1. Смысловое чтение и работа с текстом на всех предметах.\n"
            "2. Оценивание без отметок в первом классе: критерии и листы достижений.\n"
            "3. Преемственность детского сада и школы.\n\n"
            "Вступление — по заявке: напишите, в какой школе и в каких классах вы работаете."
        ),
        "leaders": ["o.vasilieva@example.org"],
        "members": ["a.kubanova@example.org", "e.fedorova@example.org", "n.gritsenko@example.org",
                    "s.mironova@example.org"],
        "requests": {
            "y.karpenko@example.org": "Работаю в Лицее № 3 первый год, веду 2 «Б» класс. "
            "Хочу участвовать в работе объединения.",
        },
    },
    {
        "slug": "rmo-doshkolnoe-obrazovanie",
        "name": "РМО педагогов дошкольного образования",
        "kind": "district",
        "subjects": ["doshkolnoe-obrazovanie"],
        "levels": [PRE],
        "description": (
            "Воспитатели, старшие воспитатели, музыкальные руководители и инструкторы по физической культуре "
            "детских садов округа.\n\n"
            "Работаем по ФОП ДО: планирование образовательной деятельности, развивающая предметно-"
            "пространственная среда, взаимодействие с семьями воспитанников."
        ),
        "leaders": ["l.romanova@example.org"],
        "members": ["d.umarova@example.org", "k.nikitina@example.org", "s.yusupova@example.org",
                    "l.tkacheva@example.org"],
    },
    {
        "slug": "rmo-istoriya-obshchestvoznanie",
        "name": "РМО учителей истории и обществознания",
        "kind": "district",
        "subjects": ["istoriya", "obshchestvoznanie"],
        "levels": [BAS, SEC],
        "description": (
            "Единый учебник истории, финансовая грамотность на уроках обществознания, краеведение: "
            "история Нефтекумского края и Прикумья в школьном курсе.\n\n"
            "Готовим муниципальную краеведческую конференцию школьников."
        ),
        "leaders": ["v.sidorenko@example.org"],
        "members": ["a.batyrova@example.org", "i.kovalev@example.org"],
    },
    {
        "slug": "rmo-estestvennye-nauki",
        "name": "РМО учителей естественнонаучного цикла",
        "kind": "district",
        "join_policy": "request",
        "subjects": ["fizika", "khimiya", "biologiya", "geografiya"],
        "levels": [BAS, SEC],
        "description": (
            "Физика, химия, биология и география.\n\n"
            "- естественнонаучная грамотность и задания в формате PISA;\n"
            "- оборудование центров «Точка роста» на уроках и во внеурочной деятельности;\n"
            "- лабораторные и практические работы в ОГЭ и ЕГЭ."
        ),
        "leaders": ["n.bondarenko@example.org"],
        "members": ["p.kuzmenko@example.org", "m.aliev@example.org"],
        "requests": {
            "e.zaitseva@example.org": "Прошу принять: преподаю биологию в 6–11 классах СОШ № 6, готовлю ребят к ОГЭ.",
            "r.dzhumaev@example.org": "Веду физику в 7–9 классах, хотел бы участвовать в работе объединения.",
        },
    },
    {
        "slug": "rmo-angliyskiy-yazyk",
        "name": "РМО учителей английского языка",
        "kind": "district",
        "subjects": ["angliyskiy-yazyk"],
        "levels": [PRI, BAS, SEC],
        "description": (
            "Учителя английского языка школ округа. Устная часть ОГЭ и ЕГЭ, проектная деятельность, "
            "обмен аутентичными материалами для уроков."
        ),
        "leaders": ["k.tarasova@example.org"],
        "members": ["l.mambetova@example.org"],
    },
    {
        "slug": "rmo-informatika",
        "name": "РМО учителей информатики",
        "kind": "district",
        "subjects": [INF],
        "levels": [BAS, SEC],
        "description": (
            "Программирование на Python в школьном курсе, компьютерный ЕГЭ по информатике, "
            "цифровая гигиена и безопасность в сети.\n\n"
            "Полезные ссылки и разборы задач публикуем в обсуждениях объединения."
        ),
        "leaders": ["d.volkov@example.org"],
        "members": ["teacher@example.org", "t.shapovalova@example.org", "a.gavrilov@example.org",
                    "methodist@example.org"],
    },
    {
        "slug": "shmo-litsey-3-estestvenno-matematicheskiy-tsikl",
        "name": "ШМО учителей естественно-математического цикла МКОУ «Лицей № 3»",
        "kind": "school",
        "school": "licey3",
        "visibility": "members",
        "join_policy": "invitation",
        "subjects": [MATH, "fizika", INF],
        "levels": [BAS, SEC],
        "description": (
            "Школьное методическое объединение лицея: математика, физика и информатика.\n\n"
            "Здесь — план работы ШМО, протоколы заседаний и взаимопосещение уроков. "
            "Материалы видны только участникам объединения."
        ),
        "leaders": ["leader@example.org"],
        "members": ["p.kuzmenko@example.org", "r.nurmagomedova@example.org"],
    },
    {
        "slug": "shmo-sosh-1-nachalnye-klassy",
        "name": "ШМО учителей начальных классов МКОУ СОШ № 1 г. Нефтекумска",
        "kind": "school",
        "school": "sosh1",
        "visibility": "members",
        "join_policy": "invitation",
        "subjects": ["nachalnye-klassy"],
        "levels": [PRI],
        "description": (
            "Школьное методическое объединение учителей начальных классов СОШ № 1.\n\n"
            "Вступление — по приглашению руководителя ШМО."
        ),
        "leaders": ["e.fedorova@example.org"],
        "members": ["o.vasilieva@example.org", "l.mambetova@example.org"],
    },
    {
        "slug": "tg-funktsionalnaya-gramotnost",
        "name": "Творческая группа «Функциональная грамотность»",
        "kind": "creative_group",
        "join_policy": "request",
        "subjects": [MATH, RUS, "biologiya"],
        "levels": [BAS],
        "description": (
            "Межпредметная творческая группа: составляем банк заданий по читательской, математической и "
            "естественнонаучной грамотности для 5–9 классов и проводим районные диагностические работы.\n\n"
            "**Результат года** — сборник заданий с критериями оценивания для всех школ округа."
        ),
        "leaders": ["methodist@example.org"],
        "members": ["teacher@example.org", "m.lebedeva@example.org", "n.bondarenko@example.org",
                    "e.kovalenko@example.org", "a.osipova@example.org"],
        "requests": {
            "i.polyakova@example.org": "Хотела бы присоединиться: веду в школе курс «Смысловое чтение».",
        },
    },
    {
        "slug": "tg-tsifrovaya-obrazovatelnaya-sreda",
        "name": "Творческая группа «Цифровая образовательная среда»",
        "kind": "creative_group",
        "join_policy": "request",
        "subjects": [INF],
        "levels": [PRI, BAS, SEC],
        "description": (
            "Творческая группа 2023–2025 годов: освоение ФГИС «Моя школа», электронные журналы и дневники, "
            "цифровые образовательные ресурсы на уроке.\n\n"
            "Проект завершён, методические рекомендации группы сохранены в архиве."
        ),
        "leaders": ["d.volkov@example.org"],
        "members": ["teacher@example.org", "t.shapovalova@example.org", "a.gavrilov@example.org"],
        "archived": "Проект 2023–2025 годов завершён, материалы сохранены.",
    },
    {
        "slug": "metodicheskiy-sovet",
        "name": "Методический совет",
        "kind": "council",
        "visibility": "members",
        "join_policy": "invitation",
        "description": (
            "Методический совет Нефтекумского городского округа координирует методическую работу "
            "образовательных организаций: утверждает планы работы РМО, рассматривает итоги экспертизы "
            "материалов, готовит муниципальные конкурсы профессионального мастерства.\n\n"
            "Состав совета утверждается приказом отдела образования."
        ),
        "leaders": ["admin@example.org"],
        "members": ["methodist@example.org", "n.zakharova@example.org", "s.mironova@example.org",
                    "l.tkacheva@example.org", "a.osipova@example.org", "r.nurmagomedova@example.org",
                    "i.kovalev@example.org", "leader@example.org", "m.lebedeva@example.org",
                    "o.vasilieva@example.org", "l.romanova@example.org"],
    },
]  # fmt: skip
